from django.urls import path

from .views import CandleListView, SymbolListView

app_name = "datafeeds"
urlpatterns = [
    path("candles/", CandleListView.as_view(), name="candles"),
    path("symbols/", SymbolListView.as_view(), name="symbols"),
]
