"""Append-only, hash-chained audit events. The app never updates or deletes a row."""

from django.conf import settings
from django.db import models

from skillbridge.accounts.scope import ScopedQuerySet


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILED = "failed", "失败"


# Chinese names of audit actions for the auditor's page; apps add theirs in AppConfig.ready().
ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "organisation.create": "新增单位",
    "organisation.update": "修改单位",
    "user.create": "新增用户",
    "user.role_grant": "授予角色",
    "user.role_revoke": "撤销角色",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "api_token.issue": "签发接口令牌",
    "security.unlock": "解除锁定",
    "review.create": "起草审核事项",
    "review.submit": "报送审核",
    "review.approve": "审核同意",
    "review.return": "退回修改",
    "review.reject": "审核不同意",
    "scope.denied": "访问权限范围外数据（已拒绝）",
    "page.denied": "访问无权限页面（已拒绝）",
    "request.denied": "无权操作（已拒绝）",
}


class AppendOnlyError(RuntimeError):
    """The audit log is append-only: the application never changes or removes an event."""


class AuditEventQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    def for_user(self, user):
        """Only the auditor reads the log (三权分立), and reads all of it."""
        if getattr(user, "is_authenticated", False) and user.is_active and user.has_role("auditor"):
            return self.all()
        return self.none()


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=120, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    ip = models.CharField("IP", max_length=45, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
