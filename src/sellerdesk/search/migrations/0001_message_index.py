"""The full-text index of messages (FTS5 on SQLite, a GIN-indexed tsvector table on
PostgreSQL) with its triggers, and the indexes of the exact lookups: see search/index.py."""

from django.db import migrations


def create(apps, schema_editor):
    from sellerdesk.search.index import ensure

    ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from sellerdesk.search.index import drop

    drop(schema_editor.connection, lookups=True)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_draft_note_rootcause_ticket_merged_into_and_more"),
        ("orders", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
