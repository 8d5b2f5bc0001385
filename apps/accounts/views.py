from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import ApiError

from .serializers import LoginResponseSerializer, LoginSerializer, UserSerializer
from .services import InvalidCredentials, user_login, user_logout


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # no CSRF check before a session exists

    @extend_schema(request=LoginSerializer, responses=LoginResponseSerializer)
    def post(self, request: Request) -> Response:
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user, token = user_login(request=request._request, **body.validated_data)
        except InvalidCredentials as error:
            raise ApiError(str(error), status_code=status.HTTP_400_BAD_REQUEST) from error
        return Response({"token": token, "user": UserSerializer(user).data})


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        user_logout(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)
