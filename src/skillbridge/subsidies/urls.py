from django.urls import path

from . import views

app_name = "subsidies"
urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("new/", views.claim_create, name="claim_create"),
    path("notice/", views.public_notice, name="public_notice"),
    path("<int:pk>/", views.claim_detail, name="claim_detail"),
    path("<int:pk>/form.xlsx", views.claim_form_xlsx, name="claim_form_xlsx"),
    path("<int:pk>/form.pdf", views.claim_form_pdf, name="claim_form_pdf"),
    path("<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
    path("lines/<int:pk>/decide/", views.line_decide, name="line_decide"),
    path("lines/<int:pk>/amount/", views.line_amount, name="line_amount"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
]
