"""Risk profile API: the signed-in user's profiles (anyone else's: 404, as a missing one)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import risk_profile_get, risk_profile_list
from .serializers import (
    ProfileFieldSerializer,
    RiskProfileInputSerializer,
    RiskProfileSerializer,
    profile_field_rows,
)
from .services import (
    RiskProfileInUse,
    RiskProfileInvalid,
    risk_profile_create,
    risk_profile_delete,
    risk_profile_update,
)


def _input(request: Request, *, partial: bool) -> RiskProfileInputSerializer:
    serializer = RiskProfileInputSerializer(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer


class RiskProfileListCreateView(APIView):
    @extend_schema(responses=RiskProfileSerializer(many=True), summary="Your risk profiles")
    def get(self, request: Request) -> Response:
        profiles = risk_profile_list(owner=request.user)
        return Response(RiskProfileSerializer(profiles, many=True).data)

    @extend_schema(
        request=RiskProfileInputSerializer,
        responses={
            201: RiskProfileSerializer,
            400: OpenApiResponse(description="a field is invalid or out of bounds; named"),
        },
        summary="Create a risk profile",
        description="Missing values take their defaults. Your first profile is the default; "
        '"is_default": true moves the default to the new one.',
    )
    def post(self, request: Request) -> Response:
        data = _input(request, partial=False)
        try:
            profile = risk_profile_create(
                owner=request.user,
                name=data.validated_data["name"],
                values=data.values(),
                is_default=data.validated_data.get("is_default", False),
            )
        except RiskProfileInvalid as error:
            raise serializers.ValidationError(error.errors) from error
        return Response(RiskProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


class RiskProfileDetailView(APIView):
    @extend_schema(responses=RiskProfileSerializer, summary="One risk profile")
    def get(self, request: Request, pk: int) -> Response:
        profile = risk_profile_get(owner=request.user, profile_id=pk)
        return Response(RiskProfileSerializer(profile).data)

    @extend_schema(
        request=RiskProfileInputSerializer,
        responses={200: RiskProfileSerializer, 400: OpenApiResponse(description="named field")},
        summary="Change a risk profile",
        description='Only the given fields change; "is_default": true makes it the default.',
    )
    def patch(self, request: Request, pk: int) -> Response:
        profile = risk_profile_get(owner=request.user, profile_id=pk)
        data = _input(request, partial=True)
        try:
            profile = risk_profile_update(
                profile=profile,
                name=data.validated_data.get("name"),
                values=data.values(),
                is_default=data.validated_data.get("is_default"),
            )
        except RiskProfileInvalid as error:
            raise serializers.ValidationError(error.errors) from error
        return Response(RiskProfileSerializer(profile).data)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="in use by a running bot; the body names it"),
        },
        summary="Delete a risk profile",
        description="Refused while a running bot uses it. Deleting the default makes your oldest "
        "remaining profile the default. Backtests that used it keep a copy of its values.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        profile = risk_profile_get(owner=request.user, profile_id=pk)
        try:
            risk_profile_delete(profile=profile)
        except RiskProfileInUse as error:
            return Response(
                {"detail": str(error), "used_by": error.holders}, status=status.HTTP_409_CONFLICT
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RiskProfileFieldsView(APIView):
    @extend_schema(
        responses=ProfileFieldSerializer(many=True),
        summary="The risk profile's fields: bounds, defaults, help texts (for forms)",
    )
    def get(self, request: Request) -> Response:
        return Response(profile_field_rows())
