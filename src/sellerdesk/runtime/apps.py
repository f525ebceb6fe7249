from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps


class RuntimeConfig(AppConfig):
    name = "sellerdesk.runtime"
    label = "runtime"
    verbose_name = "Runtime"

    def ready(self) -> None:
        # Every app's tasks must be registered with the queue before a consumer starts, or a
        # task enqueued by one process would be unknown to the worker that dequeues it.
        for config in apps.get_app_configs():
            module = f"{config.name}.tasks"
            if config.name.startswith("sellerdesk.") and find_spec(module) is not None:
                import_module(module)
