"""Alert channels and alerts API (owner only: anyone else gets 404, as for a missing one)."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import BoundedLimitOffsetPagination
from config.throttling import ScopedRateThrottle, UserRateThrottle
from config.validation import validated

from .selectors import alert_get, alert_list, channel_get, channel_list
from .serializers import (
    AlertSerializer,
    ChannelCreateSerializer,
    ChannelSerializer,
    ChannelUpdateSerializer,
    TestQueuedSerializer,
)
from .services import ChannelInvalid, channel_create, channel_delete, channel_test, channel_update

BAD_INPUT = OpenApiResponse(description="a field is invalid; the body names it")


def _as_lists(errors: dict[str, str]) -> dict[str, list[str]]:
    """DRF's own shape for field errors: {field: [message]}."""
    return {field: [message] for field, message in errors.items()}


# Error reports (DEBUG pages, admin mails) never show the URL a request carried.
_hide_url = method_decorator(sensitive_post_parameters("url"), name="dispatch")


@_hide_url
class ChannelListView(APIView):
    @extend_schema(responses=ChannelSerializer(many=True), summary="Your alert channels")
    def get(self, request: Request) -> Response:
        return Response(ChannelSerializer(channel_list(owner=request.user), many=True).data)

    @extend_schema(
        request=ChannelCreateSerializer,
        responses={201: ChannelSerializer, 400: BAD_INPUT},
        summary="Add an alert channel (its URL is encrypted, never answered)",
    )
    def post(self, request: Request) -> Response:
        data = validated(ChannelCreateSerializer, request.data).validated_data
        try:
            channel = channel_create(owner=request.user, **data)
        except ChannelInvalid as error:
            raise serializers.ValidationError(_as_lists(error.errors)) from None
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)


@_hide_url
class ChannelDetailView(APIView):
    @extend_schema(responses=ChannelSerializer, summary="One alert channel")
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChannelSerializer(channel_get(owner=request.user, channel_id=pk)).data)

    @extend_schema(
        request=ChannelUpdateSerializer,
        responses={200: ChannelSerializer, 400: BAD_INPUT},
        summary="Change an alert channel; a URL sent replaces the stored one",
    )
    def patch(self, request: Request, pk: int) -> Response:
        channel = channel_get(owner=request.user, channel_id=pk)
        data = validated(ChannelUpdateSerializer, request.data).validated_data
        try:
            channel = channel_update(channel=channel, **data)
        except ChannelInvalid as error:
            raise serializers.ValidationError(_as_lists(error.errors)) from None
        return Response(ChannelSerializer(channel).data)

    @extend_schema(responses={204: None}, summary="Delete an alert channel")
    def delete(self, request: Request, pk: int) -> Response:
        channel_delete(channel=channel_get(owner=request.user, channel_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelTestView(APIView):
    """Each test is a message to the user's service: a budget of its own (THROTTLE_ALERT_TEST)."""

    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "alert-test"

    @extend_schema(
        request=None,
        responses={202: TestQueuedSerializer},
        summary="Send a test alert through the channel",
        description=(
            "Queues a test alert (whatever the channel's events) and answers at once with its "
            "id; GET /api/notifications/alerts/<id>/ tells sent or failed (with apprise's words)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = channel_test(channel=channel_get(owner=request.user, channel_id=pk))
        return Response(
            TestQueuedSerializer({"alert_id": alert.pk, "status": alert.status}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class AlertPagination(BoundedLimitOffsetPagination):
    max_limit = 200


class AlertListView(generics.ListAPIView):
    """Your recent alerts, newest first: sent, failed, queued and suppressed ones."""

    serializer_class = AlertSerializer
    pagination_class = AlertPagination

    def get_queryset(self):
        return alert_list(owner=self.request.user)

    @extend_schema(summary="Your recent alerts")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class AlertDetailView(APIView):
    @extend_schema(responses=AlertSerializer, summary="One alert (e.g. a test's outcome)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(AlertSerializer(alert_get(owner=request.user, alert_id=pk)).data)
