from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _keep_index(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Schema upkeep, not domain logic: a later tickets migration on SQLite rebuilds the
    # message table and drops the index's triggers; this puts them back (and re-fills).
    from sellerdesk.search.index import ensure, index_installed

    connection = connections[using]
    if index_installed(connection):
        ensure(connection)


class SearchConfig(AppConfig):
    name = "sellerdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Registers the start-up check that the SQLite build has FTS5.
        from sellerdesk.search import checks  # noqa: F401

        post_migrate.connect(_keep_index, sender=self, dispatch_uid="search-keep-index")
