from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/export/", views.organisation_export, name="organisation_export"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("security/", views.security, name="security"),
]
