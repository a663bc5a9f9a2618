from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.rollup_refresh, name="rollup_refresh"),
    path("people/", views.people, name="people"),
    path("classes/<int:pk>/qualified.xlsx", views.class_qualified_xlsx, name="class_qualified_xlsx"),
    path("statement/", views.year_statement, name="year_statement"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/receive/", views.report_receive, name="report_receive"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/delete/", views.report_delete, name="report_delete"),
    path("reports/<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
