from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillbridge.certificates"
    label = "certificates"
    verbose_name = "证书、查验与培训档案"
