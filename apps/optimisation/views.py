"""Optimisation API: create studies and walk-forwards, read them (trials sorted by any KPI,
diagnostics, parameter importance), pause, resume and cancel. Every study and walk-forward
belongs to its owner: anyone else gets 404, as for a missing one."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.datafeeds.selectors import symbol_get
from config.pagination import BoundedLimitOffsetPagination
from config.validation import validated

from .selectors import (
    study_diagnostics,
    study_get,
    study_importance,
    study_list,
    study_trials,
    walk_forward_get,
    walk_forward_list,
)
from .serializers import (
    StudyCreateSerializer,
    StudyDetailSerializer,
    StudyListQuerySerializer,
    StudySerializer,
    TrialQuerySerializer,
    TrialSerializer,
    WalkForwardCreateSerializer,
    WalkForwardDetailSerializer,
    WalkForwardSerializer,
)
from .services import (
    study_cancel,
    study_create,
    study_pause,
    study_resume,
    walk_forward_cancel,
    walk_forward_create,
)

_CREATE_ERRORS = {
    400: OpenApiResponse(description="a field is invalid; the body names it"),
    404: OpenApiResponse(description="unknown symbol"),
    429: OpenApiResponse(description="too many of your studies running or paused"),
}


class StudyPagination(BoundedLimitOffsetPagination):
    max_limit = 500


class StudyListCreateView(generics.ListAPIView):
    """The signed-in user's studies, newest first (?walk_forward=<id>: one walk-forward's)."""

    serializer_class = StudySerializer
    pagination_class = StudyPagination

    def get_queryset(self):
        query = validated(StudyListQuerySerializer, self.request.query_params).validated_data
        return study_list(owner=self.request.user, walk_forward_id=query.get("walk_forward"))

    @extend_schema(parameters=[StudyListQuerySerializer], summary="List your studies")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=StudyCreateSerializer,
        responses={202: StudySerializer, **_CREATE_ERRORS},
        summary="Start a parameter study",
        description=(
            "Searches the ranges of `space` (inside each parameter's bounds) with Optuna (TPE, "
            "grid or random), maximising `objective` over backtests of [start, end); trials with "
            "fewer than `min_trades` trades are pruned. The backtest workers share the study."
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(StudyCreateSerializer, request.data)
        q = data.validated_data
        study = study_create(
            owner=request.user,
            symbol=symbol_get(name=q["symbol"], exchange=q.get("exchange")),
            **data.search(),
        )
        return Response(StudySerializer(study).data, status=status.HTTP_202_ACCEPTED)


class StudyDetailView(APIView):
    @extend_schema(
        responses=StudyDetailSerializer,
        summary="One study: progress, best trial, overfitting diagnostics",
    )
    def get(self, request: Request, pk: int) -> Response:
        study = study_get(owner=request.user, study_id=pk)
        study.diagnostics = study_diagnostics(study=study)
        return Response(StudyDetailSerializer(study).data)


class StudyTrialsView(generics.ListAPIView):
    serializer_class = TrialSerializer
    pagination_class = StudyPagination

    def get_queryset(self):
        query = validated(TrialQuerySerializer, self.request.query_params).validated_data
        study = study_get(owner=self.request.user, study_id=self.kwargs["pk"])
        return study_trials(study=study, ordering=query["ordering"])

    @extend_schema(parameters=[TrialQuerySerializer], summary="A study's finished trials")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class StudyImportanceView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "ParameterImportance",
            {"importance": serializers.DictField(child=serializers.FloatField())},
        ),
        summary="Parameter importance (Optuna's PED-ANOVA evaluator; sums to 1)",
    )
    def get(self, request: Request, pk: int) -> Response:
        study = study_get(owner=request.user, study_id=pk)
        return Response({"importance": study_importance(study=study)})


def _control_view(action, summary: str) -> type[APIView]:
    class ControlView(APIView):
        @extend_schema(
            request=None,
            responses={200: StudySerializer, 400: OpenApiResponse(description="wrong status")},
            summary=summary,
        )
        def post(self, request: Request, pk: int) -> Response:
            study = action(study=study_get(owner=request.user, study_id=pk))
            return Response(StudySerializer(study).data)

    ControlView.__name__ = ControlView.__qualname__ = f"Study{action.__name__.title()}View"
    return ControlView


StudyPauseView = _control_view(study_pause, "Pause a running study (after its current trials)")
StudyResumeView = _control_view(study_resume, "Resume a paused study")
StudyCancelView = _control_view(study_cancel, "Cancel a study for good")


class WalkForwardListCreateView(generics.ListAPIView):
    serializer_class = WalkForwardSerializer
    pagination_class = StudyPagination

    def get_queryset(self):
        return walk_forward_list(owner=self.request.user)

    @extend_schema(summary="List your walk-forward analyses")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=WalkForwardCreateSerializer,
        responses={202: WalkForwardSerializer, **_CREATE_ERRORS},
        summary="Start a walk-forward analysis",
        description=(
            "Rolling or anchored windows over [start, end): each in-sample stretch optimised by "
            "a study, its best parameters traded on the following out-of-sample stretch; the "
            "stretches are stitched into one curve once every window is done."
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(WalkForwardCreateSerializer, request.data)
        q = data.validated_data
        walk = walk_forward_create(
            owner=request.user,
            symbol=symbol_get(name=q["symbol"], exchange=q.get("exchange")),
            **data.search(),
            **data.windows(),
        )
        return Response(WalkForwardSerializer(walk).data, status=status.HTTP_202_ACCEPTED)


class WalkForwardDetailView(APIView):
    @extend_schema(
        responses=WalkForwardDetailSerializer,
        summary="One walk-forward: windows, their studies, stitched out-of-sample curve",
    )
    def get(self, request: Request, pk: int) -> Response:
        walk = walk_forward_get(owner=request.user, walk_forward_id=pk)
        return Response(WalkForwardDetailSerializer(walk).data)


class WalkForwardCancelView(APIView):
    @extend_schema(
        request=None,
        responses={200: WalkForwardSerializer, 400: OpenApiResponse(description="finished")},
        summary="Cancel a walk-forward and its unfinished studies",
    )
    def post(self, request: Request, pk: int) -> Response:
        walk = walk_forward_cancel(walk=walk_forward_get(owner=request.user, walk_forward_id=pk))
        return Response(WalkForwardSerializer(walk).data)
