from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("occupations/", views.occupation_list, name="occupation_list"),
    path("occupations/<int:pk>/route/", views.occupation_route, name="occupation_route"),
    path("levels/", views.reference, name="reference"),
    path("items/", views.item_list, name="item_list"),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/new/", views.standard_create, name="standard_create"),
    path("standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path("shortage/", views.shortage_list, name="shortage_list"),
    path("shortage/<int:pk>/remove/", views.shortage_remove, name="shortage_remove"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:org_id>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:org_id>/edit/", views.institution_edit, name="institution_edit"),
    path(
        "institutions/<int:org_id>/approved/", views.approved_occupation_add, name="approved_occupation_add"
    ),
    path("institutions/<int:org_id>/dishonesty/new/", views.dishonesty_create, name="dishonesty_create"),
    path("dishonesty/", views.dishonesty_list, name="dishonesty_list"),
    path("designation/calls/", views.call_list, name="call_list"),
    path("designation/calls/new/", views.call_create, name="call_create"),
    path("designation/calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("designation/calls/<int:pk>/apply/", views.call_apply, name="call_apply"),
    path("designation/calls/<int:pk>/close/", views.call_close, name="call_close"),
    path("designation/applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("designations/", views.designation_list, name="designation_list"),
    path("designations/exempt/", views.designation_exempt, name="designation_exempt"),
    path("designations/<int:pk>/", views.designation_detail, name="designation_detail"),
]
