from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("scans/new/", views.scan_create, name="scan_create"),
    path("scans/<int:pk>/", views.scan_detail, name="scan_detail"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/<int:pk>/", views.rating_detail, name="rating_detail"),
]
