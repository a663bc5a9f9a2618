from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from skillbridge.approvals.selectors import inbox

from .context import PLATFORM_ROLE_CODES, menu_for
from .panels import home_panels


@login_required
def home(request):
    """The organisation's inbox (待办); platform administrators land on their own first page."""
    if request.user.roles & PLATFORM_ROLE_CODES:
        return redirect(menu_for(request.user)[0]["items"][0]["url"])
    items = inbox(request.user, today=timezone.localdate())
    return render(
        request, "web/home.html", {"items": items, "panels": home_panels(request), "page_title": "待办事项"}
    )


def error_400(request, exception=None):
    return render(request, "web/error.html", {"code": 400, "message": "请求有误，请检查后重试。"}, status=400)


def error_403(request, exception=None, message: str = "您没有执行此操作的权限。"):
    return render(request, "web/error.html", {"code": 403, "message": message}, status=403)


def error_404(request, exception=None):
    return render(
        request,
        "web/error.html",
        {"code": 404, "message": "页面不存在，或不在您的数据权限范围内。"},
        status=404,
    )


def error_500(request):
    return render(
        request,
        "web/error.html",
        {"code": 500, "message": "系统内部错误，请稍后重试或联系管理员。"},
        status=500,
    )
