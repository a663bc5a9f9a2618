from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_list, name="certificate_list"),
    path("<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("<int:pk>/reissue/", views.certificate_reissue, name="certificate_reissue"),
    path("archive/", views.archive_search, name="archive_search"),
    path("archive/<int:person_id>/", views.archive_detail, name="archive_detail"),
    path("before-release/", views.before_release, name="before_release"),
    # Public, no login:
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("public-key.pem", views.public_key, name="public_key"),
]
