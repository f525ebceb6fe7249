"""The start-up check: a SQLite without FTS5 stops the process with one clear error."""

from __future__ import annotations

import pytest

from sellerdesk.search import checks


def test_no_error_when_sqlite_has_fts5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "database_engine", lambda: "django.db.backends.sqlite3")

    assert checks.sqlite_has_fts5() is True
    assert checks.fts5_available() == []


def test_a_sqlite_without_fts5_is_a_clear_startup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "database_engine", lambda: "django.db.backends.sqlite3")
    monkeypatch.setattr(checks, "sqlite_has_fts5", lambda: False)

    [error] = checks.fts5_available()

    assert error.id == "sellerdesk.search.E001"
    assert "built without FTS5" in error.msg
    assert "DATABASE_URL" in (error.hint or "")


def test_postgresql_needs_no_fts5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "database_engine", lambda: "django.db.backends.postgresql")
    monkeypatch.setattr(checks, "sqlite_has_fts5", lambda: False)

    assert checks.fts5_available() == []
