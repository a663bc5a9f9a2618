from django.urls import include, path

from skillbridge.accounts import views as account_views
from skillbridge.api.api import api
from skillbridge.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("", include("skillbridge.accounts.urls")),
    path("reviews/", include("skillbridge.approvals.urls")),
    path("audit/", include("skillbridge.audit.urls")),
    path("policy/", include("skillbridge.policy.urls")),
    path("catalog/", include("skillbridge.catalog.urls")),
    path("registry/", include("skillbridge.registry.urls")),
    path("imports/", include("skillbridge.imports.urls")),
    path("planning/", include("skillbridge.planning.urls")),
    path("training/", include("skillbridge.training.urls")),
    path("certificates/", include("skillbridge.certificates.urls")),
    path("assessment/", include("skillbridge.assessment.urls")),
    path("subsidies/", include("skillbridge.subsidies.urls")),
    path("funds/", include("skillbridge.funds.urls")),
    path("reporting/", include("skillbridge.reporting.urls")),
    path("supervision/", include("skillbridge.supervision.urls")),
    path("employment/", include("skillbridge.employment.urls")),
    path("api/v1/", api.urls),
]

handler400 = "skillbridge.web.views.error_400"
handler403 = "skillbridge.web.views.error_403"
handler404 = "skillbridge.web.views.error_404"
handler500 = "skillbridge.web.views.error_500"
