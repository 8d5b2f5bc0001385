from django.urls import path

from .views import RiskProfileDetailView, RiskProfileFieldsView, RiskProfileListCreateView

app_name = "risk"
urlpatterns = [
    path("profiles/", RiskProfileListCreateView.as_view(), name="profile-list"),
    path("profiles/<int:pk>/", RiskProfileDetailView.as_view(), name="profile-detail"),
    path("profile-fields/", RiskProfileFieldsView.as_view(), name="profile-fields"),
]
