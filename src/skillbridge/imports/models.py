"""One uploaded xlsx file and what became of it: validated (with per-row errors) and written, or not."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from skillbridge.accounts.scope import ScopedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    VALIDATING = "validating", "校验中"
    INVALID = "invalid", "校验未通过"
    WRITING = "writing", "写入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


RUNNING = (JobStatus.QUEUED, JobStatus.VALIDATING, JobStatus.WRITING)


def upload_path(instance, filename: str) -> str:
    # Never the user's file name in a path: a random name under MEDIA_ROOT/imports/<year>/<month>/.
    return timezone.localdate().strftime(f"imports/%Y/%m/{uuid.uuid4().hex}.xlsx")


class ImportJobQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Jobs of the user's own organisation (an upload is the unit's working file, not shared upwards)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(organisation_id=user.organisation_id)


class ImportJob(models.Model):
    importer_key = models.CharField("导入类型", max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=255)
    file_size = models.PositiveBigIntegerField("文件大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField("文件", upload_to=upload_path, max_length=200)
    status = models.CharField("状态", max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_checked = models.PositiveIntegerField("已校验行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    error_total = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)  # [[row, header, message], …], capped
    message = models.CharField("结果说明", max_length=500, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()
    scope_unit_field = "organisation"

    class Meta:
        verbose_name = "导入任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "-id"])]

    def __str__(self) -> str:
        return f"导入任务{self.pk}：{self.file_name}"

    @property
    def importer_title(self) -> str:
        from .registry import IMPORTERS

        importer = IMPORTERS.get(self.importer_key)
        return importer.title if importer else self.importer_key

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.WRITING):
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_checked * 100 // self.rows_total)
