from django.apps import AppConfig


class SnippetsConfig(AppConfig):
    name = "sellerdesk.snippets"
    label = "snippets"
    verbose_name = "Snippets"
