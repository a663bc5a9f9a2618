from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("<int:pk>/episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/", views.episode_list, name="episode_list"),
    path("episodes/<int:pk>/edit/", views.episode_edit, name="episode_edit"),
    path("episodes/<int:pk>/release/", views.release_change, name="release_change"),
    path("episodes/<int:pk>/status/", views.status_change, name="status_change"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/clear/", views.duplicate_clear, name="duplicate_clear"),
    path("survey/", views.survey, name="survey"),
]
