from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/roster/add/", views.roster_add, name="roster_add"),
    path("classes/<int:pk>/roster.xlsx", views.roster_export, name="roster_export"),
    path("classes/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("classes/<int:pk>/sessions.xlsx", views.sessions_export, name="sessions_export"),
    path("classes/<int:pk>/online/", views.online_minutes, name="online_minutes"),
    path("classes/<int:pk>/complete/", views.class_complete, name="class_complete"),
    path("classes/<int:pk>/data-entered/", views.class_data_entered, name="class_data_entered"),
    path("enrolments/<int:pk>/exit/", views.enrolment_exit, name="enrolment_exit"),
    path("sessions/<int:pk>/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/attendance/", views.attendance_save, name="attendance_save"),
    path("sessions/<int:pk>/all-present/", views.attendance_all_present, name="attendance_all_present"),
    path("sessions/<int:pk>/sign-off/", views.session_sign_off, name="session_sign_off"),
    path("sessions/<int:pk>/sign-in.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/delete/", views.application_delete, name="application_delete"),
    path("applications/<int:pk>/form.xlsx", views.application_form_xlsx, name="application_form_xlsx"),
    path("applications/<int:pk>/form.pdf", views.application_form_pdf, name="application_form_pdf"),
]
