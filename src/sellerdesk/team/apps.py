from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "sellerdesk.team"
    label = "team"
    verbose_name = "Team"
