from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("<int:pk>/delete/", views.application_delete, name="application_delete"),
    path("<int:pk>/form.xlsx", views.application_form_xlsx, name="application_form_xlsx"),
    path("<int:pk>/form.pdf", views.application_form_pdf, name="application_form_pdf"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.results_template, name="results_template"),
    path("<int:pk>/certificates/", views.certificates, name="certificates"),
]
