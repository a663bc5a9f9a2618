from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "skillbridge.reporting"
    label = "reporting"
    verbose_name = "统计与报表"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from skillbridge.accounts.models import Organisation
        from skillbridge.audit.models import ACTION_LABELS
        from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem

        from .namecache import names

        for model in (Organisation, Occupation, SpecialAbilityItem, SkillLevel):  # the names it caches
            for signal in (post_save, post_delete):
                signal.connect(
                    names.clear, sender=model, weak=False, dispatch_uid=f"namecache-{model.__name__}"
                )

        ACTION_LABELS.update(
            {
                "reporting.report.generate": "生成统计报告",
                "reporting.report.edit": "修改统计报告",
                "reporting.report.submit": "报送统计报告",
                "reporting.report.receive": "签收统计报告",
                "reporting.report.delete": "删除统计报告",
                "reporting.export": "导出统计数据",
                "reporting.rollup.refresh": "更新统计汇总数据",
                "reporting.rollup.request": "申请更新统计汇总数据",
            }
        )
