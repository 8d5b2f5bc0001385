"""Strategy API: the registry catalog, the owner's saved parameter sets, and the run endpoint."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.datafeeds.caching import symbol_get_cached
from config.http_cache import answer_response
from config.throttling import ScopedRateThrottle, UserRateThrottle

from .caching import strategy_run_cached
from .evaluation import strategy_evaluate
from .language.compiler import strategy_compile
from .language.reference import builtin_source, language_reference
from .models import Strategy, StrategyDefinition
from .presenters import evaluation_payload
from .registry import InvalidParameters, strategy_spec, strategy_specs
from .selectors import strategy_display_inputs
from .serializers import (
    BuiltinSourceSerializer,
    CatalogEntrySerializer,
    DefinitionInputSerializer,
    DefinitionSerializer,
    LanguageSerializer,
    SourceErrorsSerializer,
    SourceInputSerializer,
    StrategyRunQuerySerializer,
    StrategyRunResponseSerializer,
    StrategySerializer,
    ValidateResponseSerializer,
    VersionSerializer,
)
from .services import (
    strategy_create,
    strategy_definition_create,
    strategy_definition_delete,
    strategy_definition_update,
    strategy_update,
)
from .user_strategies import user_strategy_specs


def _param_query_parameters() -> list[OpenApiParameter]:
    """One query parameter per strategy parameter of the registry, with its range (a name two
    strategies share spans both ranges; each strategy checks its own)."""
    by_name: dict[str, list] = {}
    for spec in strategy_specs():
        for param in spec.params:
            by_name.setdefault(param.name, []).append((spec.key, param))
    parameters = []
    for name, uses in sorted(by_name.items()):
        schema = {
            "type": "integer" if all(p.kind is int for _, p in uses) else "number",
            "minimum": min(p.minimum for _, p in uses),
            "maximum": max(p.maximum for _, p in uses),
        }
        said = "; ".join(f"{key}: {p.description} ({p.minimum}..{p.maximum})" for key, p in uses)
        parameters.append(OpenApiParameter(name, schema, description=said))
    return parameters


class StrategyRunView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            StrategyRunQuerySerializer,
            *_param_query_parameters(),
        ],
        responses=StrategyRunResponseSerializer,
        summary="Evaluate a registry strategy over stored candles for display",
        description=(
            "Candles of the requested timeframe (window rules as /api/datafeeds/candles/), the "
            "strategy's lines aligned to them (null during warm-up), entries computed on the "
            "base series and projected onto the displayed candles, the setups at each candle's "
            "close (timeline) and at the last one (should_enter_long/short). Times are epoch "
            "seconds UTC. Extra query parameters override the strategy's parameters."
        ),
    )
    def get(self, request: Request, key: str) -> Response:
        spec = strategy_spec(key, owner=request.user)
        query = StrategyRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        overrides = {k: v for k, v in request.query_params.items() if k not in query.fields}
        params = spec.validate_params(overrides)
        symbol = symbol_get_cached(name=q["symbol"], exchange=q.get("exchange"))
        window = {"start_ms": q.get("start"), "end_ms": q.get("end"), "limit": q["limit"]}
        answer = strategy_run_cached(
            lambda: self._evaluate(spec, params, symbol, q["timeframe"], window),
            key=spec.key,
            symbol_id=symbol.pk,
            timeframe=q["timeframe"],
            params=params,
            window=window,
        )
        # A user's strategy is theirs: no shared cache may keep its answer.
        return answer_response(request, answer, public=spec.source != "user")

    @staticmethod
    def _evaluate(spec, params, symbol, timeframe, window) -> dict:
        inputs = strategy_display_inputs(
            spec=spec, params=params, symbol=symbol, timeframe=timeframe, **window
        )
        evaluation = strategy_evaluate(spec=spec, params=params, inputs=inputs)
        return evaluation_payload(evaluation, symbol=symbol)


class CatalogView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=CatalogEntrySerializer(many=True),
        summary="Strategies: the built-ins, the operator's plugins and, signed in, your own",
    )
    def get(self, request: Request) -> Response:
        specs = [*strategy_specs(), *user_strategy_specs(owner=request.user)]
        return Response([spec.catalog_entry() for spec in specs])


class BuiltinSourceView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=BuiltinSourceSerializer,
        summary="A built-in strategy written in the strategy language, to copy as a start",
    )
    def get(self, request: Request, key: str) -> Response:
        return Response({"source": builtin_source(key)})


class StrategyListCreateView(generics.ListCreateAPIView):
    """The signed-in user's saved strategies."""

    serializer_class = StrategySerializer

    def get_queryset(self):
        return Strategy.objects.filter(owner=self.request.user)

    def perform_create(self, serializer):
        try:
            serializer.instance = strategy_create(
                owner=self.request.user, **serializer.validated_data
            )
        except InvalidParameters as error:
            raise serializers.ValidationError({"params": error.errors}) from error


class StrategyDetailView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = StrategySerializer

    def get_queryset(self):
        return Strategy.objects.filter(owner=self.request.user)  # others' strategies are 404

    def perform_update(self, serializer):
        try:
            serializer.instance = strategy_update(
                strategy=serializer.instance, **serializer.validated_data
            )
        except InvalidParameters as error:
            raise serializers.ValidationError({"params": error.errors}) from error


# --- Users' own strategies (the strategy language) --------------------------------------------


class LanguageView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=LanguageSerializer,
        summary="The strategy language: functions with signatures, fields, outputs, limits",
    )
    def get(self, request: Request) -> Response:
        return Response(language_reference())


class _CompileThrottled:
    """Views that compile a strategy's text: a per-user budget on top of the API's own."""

    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "strategy-compile"


class SourceValidateView(_CompileThrottled, APIView):
    @extend_schema(
        request=SourceInputSerializer,
        responses={200: ValidateResponseSerializer, 400: SourceErrorsSerializer},
        summary="Compile a strategy's text without saving it",
        description="200 with its params and settings, or 400 with each error's line and column.",
    )
    def post(self, request: Request) -> Response:
        data = SourceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        program = strategy_compile(data.validated_data["source"])
        return Response({"valid": True, **program.schema()})


class DefinitionListCreateView(_CompileThrottled, generics.ListAPIView):
    """Your strategies written in the strategy language, at their current version."""

    serializer_class = DefinitionSerializer

    def get_queryset(self):
        return StrategyDefinition.objects.filter(owner=self.request.user, deleted_at__isnull=True)

    @extend_schema(
        request=DefinitionInputSerializer,
        responses={201: DefinitionSerializer, 400: SourceErrorsSerializer},
        summary="Save a new strategy (version 1); checked for lookahead and warm-up on save",
    )
    def post(self, request: Request) -> Response:
        data = DefinitionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        definition = strategy_definition_create(owner=request.user, **data.validated_data)
        return Response(DefinitionSerializer(definition).data, status=status.HTTP_201_CREATED)


class DefinitionDetailView(_CompileThrottled, generics.RetrieveAPIView):
    serializer_class = DefinitionSerializer

    def get_queryset(self):
        # Others' strategies are 404, as deleted ones.
        return StrategyDefinition.objects.filter(owner=self.request.user, deleted_at__isnull=True)

    @extend_schema(
        request=DefinitionInputSerializer(partial=True),
        responses={200: DefinitionSerializer, 400: SourceErrorsSerializer},
        summary="Rename, and/or save a new version when the text changes",
        description="Runs and bots keep the version they started with (their strategy key).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        definition = self.get_object()
        data = DefinitionInputSerializer(
            definition, data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        definition = strategy_definition_update(definition=definition, **data.validated_data)
        return Response(DefinitionSerializer(definition).data)

    @extend_schema(
        responses={204: None},
        summary="Delete (409 while a running bot uses it, naming the bot)",
        description="Its versions stay readable for the runs and bots that used them.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        strategy_definition_delete(definition=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class DefinitionVersionsView(generics.ListAPIView):
    serializer_class = VersionSerializer
    pagination_class = None

    def get_queryset(self):
        # Another user's strategy is 404, as a missing one (not an empty list).
        definition = get_object_or_404(
            StrategyDefinition, pk=self.kwargs["pk"], owner=self.request.user, deleted_at=None
        )
        return definition.versions.all()
