from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/<str:key>/", views.job_create, name="job_create"),
    path("templates/<str:key>.xlsx", views.template_download, name="template_download"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/errors.xlsx", views.job_errors, name="job_errors"),
]
