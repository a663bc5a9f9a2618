from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillbridge.certificates"
    label = "certificates"
    verbose_name = "证书、查验与培训档案"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from skillbridge.audit.models import ACTION_LABELS
        from skillbridge.training.models import TrainingClass

        from .signals import class_completed

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
        post_save.connect(class_completed, sender=TrainingClass, dispatch_uid="certificates.class_completed")
        try:
            from skillbridge.web.panels import register_home_panel

            from .views import release_panel

            register_home_panel(release_panel)
        except ImportError:  # views not there yet during early development
            pass
