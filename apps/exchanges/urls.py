from django.urls import path

from .views import ExchangeAccountCheckView, ExchangeAccountDetailView, ExchangeAccountListView

app_name = "exchanges"
urlpatterns = [
    path("accounts/", ExchangeAccountListView.as_view(), name="account-list"),
    path("accounts/<int:pk>/", ExchangeAccountDetailView.as_view(), name="account-detail"),
    path("accounts/<int:pk>/check/", ExchangeAccountCheckView.as_view(), name="account-check"),
]
