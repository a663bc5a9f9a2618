"""One JSON error format for the whole API: {"code", "message" (Chinese), "field", "details"}."""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from skillbridge.errors import Forbidden, ServiceError
from skillbridge.web.middleware import audit_forbidden

FIELD_NAMES = {"body", "query", "path", "form", "header", "cookie"}


def error_body(code: str, message: str, field=None, details=None) -> dict:
    return {"code": code, "message": message, "field": field, "details": details or []}


def _field_of(loc) -> str | None:
    parts = [str(p) for p in loc if str(p) not in FIELD_NAMES and not isinstance(p, int)]
    return parts[-1] if parts else None


def install(api) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        if isinstance(exc, Forbidden):
            audit_forbidden(request, exc)
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.field, exc.details), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        details = [{"field": _field_of(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        field = details[0]["field"] if details else None
        message = f"参数“{field}”不正确" if field else "请求参数不正确"
        return api.create_response(
            request, error_body("validation_error", message, field, details), status=422
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, error_body("unauthorized", "未登录，或访问令牌无效、已过期"), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, error_body("not_found", "资源不存在或不在您的数据权限范围内"), status=404
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)
