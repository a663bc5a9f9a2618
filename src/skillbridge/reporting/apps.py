from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "skillbridge.reporting"
    label = "reporting"
    verbose_name = "统计与报表"

    def ready(self) -> None:
        from skillbridge.audit.models import ACTION_LABELS

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
