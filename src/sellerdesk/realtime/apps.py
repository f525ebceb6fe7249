from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "sellerdesk.realtime"
    label = "realtime"
    verbose_name = "Realtime"
