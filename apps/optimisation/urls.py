from django.urls import path

from . import views

app_name = "optimisation"
urlpatterns = [
    path("studies/", views.StudyListCreateView.as_view(), name="study-list"),
    path("studies/<int:pk>/", views.StudyDetailView.as_view(), name="study-detail"),
    path("studies/<int:pk>/trials/", views.StudyTrialsView.as_view(), name="study-trials"),
    path(
        "studies/<int:pk>/importance/",
        views.StudyImportanceView.as_view(),
        name="study-importance",
    ),
    path("studies/<int:pk>/pause/", views.StudyPauseView.as_view(), name="study-pause"),
    path("studies/<int:pk>/resume/", views.StudyResumeView.as_view(), name="study-resume"),
    path("studies/<int:pk>/cancel/", views.StudyCancelView.as_view(), name="study-cancel"),
    path("walk-forwards/", views.WalkForwardListCreateView.as_view(), name="walk-forward-list"),
    path(
        "walk-forwards/<int:pk>/",
        views.WalkForwardDetailView.as_view(),
        name="walk-forward-detail",
    ),
    path(
        "walk-forwards/<int:pk>/cancel/",
        views.WalkForwardCancelView.as_view(),
        name="walk-forward-cancel",
    ),
]
