from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("", views.index, name="index"),
    path("people/", views.people, name="people"),
    path("episodes/<int:episode_pk>/profile/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("profiles/<int:pk>/handover/", views.handover_create, name="handover_create"),
    path("profiles/<int:pk>/agreement/", views.agreement_create, name="agreement_create"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("handovers/<int:pk>/follow-up/", views.follow_up_create, name="follow_up_create"),
    path("handovers/<int:pk>/<str:action>/", views.handover_action, name="handover_action"),
    path("follow-ups/", views.follow_up_due, name="follow_up_due"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/status/", views.agreement_status, name="agreement_status"),
    path("rate/", views.rate, name="rate"),
]
