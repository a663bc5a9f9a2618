from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.pack_list, name="pack_list"),
    path("<str:code>/", views.pack_detail, name="pack_detail"),
]
