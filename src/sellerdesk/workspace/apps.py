from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "sellerdesk.workspace"
    label = "workspace"
    verbose_name = "Workspace"
