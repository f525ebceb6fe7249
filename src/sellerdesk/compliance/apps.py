from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "sellerdesk.compliance"
    label = "compliance"
    verbose_name = "Compliance guard"
