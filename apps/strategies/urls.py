from django.urls import path

from .views import CatalogView, StrategyDetailView, StrategyListCreateView, StrategyRunView

app_name = "strategies"
urlpatterns = [
    path("catalog/", CatalogView.as_view(), name="catalog"),
    path("saved/", StrategyListCreateView.as_view(), name="saved-list"),
    path("saved/<int:pk>/", StrategyDetailView.as_view(), name="saved-detail"),
    path("<slug:key>/run/", StrategyRunView.as_view(), name="run"),
]
