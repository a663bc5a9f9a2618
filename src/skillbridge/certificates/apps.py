from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillbridge.certificates"
    label = "certificates"
    verbose_name = "证书、查验与培训档案"

    def ready(self) -> None:
        from skillbridge.audit.models import ACTION_LABELS
        from skillbridge.training.services import register_on_class_completed
        from skillbridge.web.panels import register_home_panel

        from .services import credits_post_for_class
        from .views import release_panel

        ACTION_LABELS.update(
            {
                "certificates.certificate.issue": "颁发证书",
                "certificates.certificate.revoke": "撤销证书",
                "certificates.certificate.reissue": "换发证书",
                "certificates.credit.post": "记入学分",
                "certificates.credit.reverse": "冲销学分",
                "certificates.certificate.export": "导出证书清单",
                "certificates.archive.export": "导出培训档案",
            }
        )
        register_on_class_completed(credits_post_for_class)
        register_home_panel(release_panel)
