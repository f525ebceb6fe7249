from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "sellerdesk.analytics"
    label = "analytics"
    verbose_name = "Analytics"
