from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("units/<int:unit_pk>/", views.account_detail, name="account_detail"),
    path("units/<int:unit_pk>/receipt/", views.receipt_create, name="receipt_create"),
    path("units/<int:unit_pk>/payment/", views.payment_create, name="payment_create"),
    path("units/<int:unit_pk>/refund/", views.refund_create, name="refund_create"),
    path("units/<int:unit_pk>/statement/", views.statement, name="statement"),
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/prepare/", views.budget_prepare, name="budget_prepare"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("budgets/<int:pk>/received/", views.budget_received, name="budget_received"),
    path("budgets/<int:pk>/prepay/", views.budget_prepay, name="budget_prepay"),
    path("budgets/<int:pk>/settle/", views.budget_settle, name="budget_settle"),
]
