from django.urls import path

from .views import (
    BuiltinSourceView,
    CatalogView,
    DefinitionDetailView,
    DefinitionListCreateView,
    DefinitionVersionsView,
    LanguageView,
    SourceValidateView,
    StrategyDetailView,
    StrategyListCreateView,
    StrategyRunView,
)

app_name = "strategies"
urlpatterns = [
    path("catalog/", CatalogView.as_view(), name="catalog"),
    path("catalog/<slug:key>/source/", BuiltinSourceView.as_view(), name="builtin-source"),
    path("language/", LanguageView.as_view(), name="language"),
    path("definitions/", DefinitionListCreateView.as_view(), name="definition-list"),
    path("definitions/validate/", SourceValidateView.as_view(), name="definition-validate"),
    path("definitions/<int:pk>/", DefinitionDetailView.as_view(), name="definition-detail"),
    path(
        "definitions/<int:pk>/versions/",
        DefinitionVersionsView.as_view(),
        name="definition-versions",
    ),
    path("saved/", StrategyListCreateView.as_view(), name="saved-list"),
    path("saved/<int:pk>/", StrategyDetailView.as_view(), name="saved-detail"),
    path("<slug:key>/run/", StrategyRunView.as_view(), name="run"),
]
