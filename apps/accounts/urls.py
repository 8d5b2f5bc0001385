from django.urls import path

from .views import (
    CsrfView,
    LoginView,
    LogoutAllView,
    LogoutView,
    MeView,
    SignupView,
    TokenDetailView,
    TokenListCreateView,
)

app_name = "accounts"
urlpatterns = [
    path("csrf/", CsrfView.as_view(), name="csrf"),
    path("signup/", SignupView.as_view(), name="signup"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("logout-all/", LogoutAllView.as_view(), name="logout-all"),
    path("me/", MeView.as_view(), name="me"),
    path("tokens/", TokenListCreateView.as_view(), name="tokens"),
    path("tokens/<int:pk>/", TokenDetailView.as_view(), name="token-detail"),
]
