"""The REST API under /api/v1/: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError

from skillbridge.accounts.api import router as accounts_router
from skillbridge.accounts.services import API_TOKEN_DAYS, api_token_issue
from skillbridge.approvals.api import router as approvals_router
from skillbridge.assessment.api import router as assessment_router
from skillbridge.catalog.api import router as catalog_router
from skillbridge.certificates.api import router as certificates_router
from skillbridge.employment.api import router as employment_router
from skillbridge.errors import Forbidden
from skillbridge.funds.api import router as funds_router
from skillbridge.imports.api import router as imports_router
from skillbridge.planning.api import router as planning_router
from skillbridge.policy.api import router as policy_router
from skillbridge.registry.api import router as registry_router
from skillbridge.reporting.api import router as reporting_router
from skillbridge.subsidies.api import router as subsidies_router
from skillbridge.supervision.api import router as supervision_router
from skillbridge.training.api import router as training_router

from . import errors
from .auth import BrowserSessionAuth, TokenAuth


class SkillBridgeAPI(NinjaAPI):
    """Caches the OpenAPI schema per path prefix: building it walks every endpoint (seconds on a busy
    server), and the endpoints cannot change while the process runs."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schema_cache", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[path_prefix]


api = SkillBridgeAPI(
    title="特殊人群职业技能培训及评价管理平台 API",
    version="1",
    description="所有列表均分页；数据权限与网页一致；错误统一返回 code、message、field。",
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_in_days: int


@api.post("/auth/token", auth=None, response=TokenOut, tags=["认证"], summary="用户名密码换取访问令牌")
def issue_token(request, payload: TokenIn):
    if AxesProxyHandler.is_locked(request, {"username": payload.username}):
        raise Forbidden("账号因多次密码错误已被临时锁定，请稍后再试或联系安全管理员", code="account_locked")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise AuthenticationError()
    return {"token": api_token_issue(user=user), "expires_in_days": API_TOKEN_DAYS}


api.add_router("/", accounts_router)
api.add_router("/policy", policy_router)
api.add_router("/reviews", approvals_router)
api.add_router("/catalog", catalog_router)
api.add_router("/registry", registry_router)
api.add_router("/imports", imports_router)
api.add_router("/planning", planning_router)
api.add_router("/training", training_router)
api.add_router("/certificates", certificates_router)
api.add_router("/assessment", assessment_router)
api.add_router("/subsidies", subsidies_router)
api.add_router("/funds", funds_router)
api.add_router("/reporting", reporting_router)
api.add_router("/supervision", supervision_router)
api.add_router("/employment", employment_router)
