"""Start-up check: the embedded mode searches messages with SQLite's FTS5, so a Python whose
SQLite was built without it must fail at start with one clear line, not at the first search."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


def sqlite_has_fts5() -> bool:
    # The same library Django's SQLite backend loads; an in-memory probe touches no data.
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(body)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def database_engine() -> str:
    return str(settings.DATABASES["default"]["ENGINE"])


@register()
def fts5_available(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if "sqlite3" not in database_engine() or sqlite_has_fts5():
        return []
    return [
        Error(
            f"This Python's SQLite ({sqlite3.sqlite_version}) was built without FTS5, "
            "which message search needs in the embedded mode.",
            hint="Use a Python whose SQLite has FTS5 (Debian's and python.org's do), "
            "or run on PostgreSQL with DATABASE_URL.",
            id="sellerdesk.search.E001",
        )
    ]
