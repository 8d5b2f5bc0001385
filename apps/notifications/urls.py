from django.urls import path

from .views import (
    AlertDetailView,
    AlertListView,
    ChannelDetailView,
    ChannelListView,
    ChannelTestView,
)

app_name = "notifications"
urlpatterns = [
    path("channels/", ChannelListView.as_view(), name="channel-list"),
    path("channels/<int:pk>/", ChannelDetailView.as_view(), name="channel-detail"),
    path("channels/<int:pk>/test/", ChannelTestView.as_view(), name="channel-test"),
    path("alerts/", AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", AlertDetailView.as_view(), name="alert-detail"),
]
