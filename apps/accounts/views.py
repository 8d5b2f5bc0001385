"""Accounts API: CSRF cookie, sign-up, sign-in/out (session), log out everywhere, API tokens."""

from datetime import timedelta

from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import ApiError
from config.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from .models import ApiToken
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    LoginSerializer,
    SignupSerializer,
    TokenCreateSerializer,
    UserResponseSerializer,
    UserSerializer,
)
from .services import (
    InvalidCredentials,
    SignupInvalid,
    TokenLimitReached,
    api_token_create,
    api_token_revoke,
    user_authenticate,
    user_login,
    user_logout,
    user_logout_everywhere,
    user_signup,
)


class CsrfRequired(BasePermission):
    """Unsafe methods need the CSRF token even without a session: a cross-site form must not
    sign a victim's browser into the attacker's account (login CSRF). Django's check also
    refuses an Origin that is neither this site nor in CSRF_TRUSTED_ORIGINS."""

    def has_permission(self, request: Request, view) -> bool:
        if request.method not in SAFE_METHODS:
            SessionAuthentication().enforce_csrf(request)  # raises PermissionDenied (403)
        return True


class AuthThrottled:
    """Per client address: sign-up, login and token creation ('auth' rate), on top of the
    global rates. Repeated wrong passwords are locked out by django-axes as well."""

    throttle_classes = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "auth"


class CsrfView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses=inline_serializer("Empty", {}), summary="Set the csrftoken cookie (for SPAs)"
    )
    @method_decorator(ensure_csrf_cookie)
    def get(self, request: Request) -> Response:
        return Response({})


class SignupView(AuthThrottled, APIView):
    permission_classes = [AllowAny, CsrfRequired]

    @extend_schema(
        request=SignupSerializer,
        responses={201: UserResponseSerializer, 400: OpenApiResponse(description="bad field")},
        summary="Create an account and sign in (session)",
    )
    def post(self, request: Request) -> Response:
        body = SignupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = user_signup(request=request._request, **body.validated_data)
        except SignupInvalid as error:
            raise serializers.ValidationError(error.errors) from error
        return Response({"user": UserSerializer(user).data}, status=status.HTTP_201_CREATED)


class LoginView(AuthThrottled, APIView):
    permission_classes = [AllowAny, CsrfRequired]

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: UserResponseSerializer,
            400: OpenApiResponse(description="wrong username or password"),
            429: OpenApiResponse(description="too many failures: see Retry-After"),
        },
        summary="Sign in: opens a session (cookie); no token in the answer",
    )
    def post(self, request: Request) -> Response:
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = user_login(request=request._request, **body.validated_data)
        except InvalidCredentials as error:
            raise ApiError(str(error), status_code=status.HTTP_400_BAD_REQUEST) from error
        return Response({"user": UserSerializer(user).data})


def _request_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="End this session or token")
    def post(self, request: Request) -> Response:
        user_logout(request=request._request, token=_request_token(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={204: None}, summary="End all your sessions and API tokens"
    )
    def post(self, request: Request) -> Response:
        user_logout_everywhere(request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


class TokenListCreateView(AuthThrottled, APIView):
    """Your API tokens. Creating one takes your username and password in the body, or your
    browser session; never another token (a leaked token must not mint itself successors)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=ApiTokenSerializer(many=True), summary="List your API tokens")
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
        summary="Create an API token (shown once)",
    )
    def post(self, request: Request) -> Response:
        body = TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        q = body.validated_data
        if "username" in q:
            try:
                user = user_authenticate(
                    request=request._request, username=q["username"], password=q["password"]
                )
            except InvalidCredentials as error:
                raise ApiError(str(error), status_code=status.HTTP_400_BAD_REQUEST) from error
        elif request.user.is_authenticated and request.auth is None:  # a session
            user = request.user
        else:
            raise exceptions.NotAuthenticated(
                "Give your username and password, or sign in first; a token cannot create tokens."
            )
        days = q.get("expires_in_days", settings.API_TOKEN_TTL_DAYS)
        try:
            row, token = api_token_create(
                user=user,
                name=q["name"],
                ttl=timedelta(days=days),
                limit=settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER"),
            )
        except TokenLimitReached as error:
            raise ApiError(str(error), status_code=status.HTTP_400_BAD_REQUEST) from error
        data = {**ApiTokenSerializer(row).data, "token": token}
        return Response(data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Revoke one of your API tokens")
    def delete(self, request: Request, pk: int) -> Response:
        if not api_token_revoke(user=request.user, token_id=pk):
            raise ApiError("No such token of yours.", status_code=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)
