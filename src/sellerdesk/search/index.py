"""The full-text index of messages, one per database vendor, kept in step by triggers (so
every way a message is written, actions or bulk loads, is indexed):

- SQLite (embedded): an FTS5 table `search_message_fts` (rowid = message id; columns subject
  and body, and the ticket's account unindexed) with the Porter stemmer, ranked by bm25,
  matches marked by snippet().
- PostgreSQL (scale-out): a table `search_messagedoc` holding each message's account and
  weighted tsvector (subject A, body B) under a GIN index, ranked by ts_rank, marked by
  ts_headline. A stored tsvector, not an expression index: ranking reads it instead of
  re-parsing every matching message.

Each entry carries its ticket's seller account, so a search limited to the accounts a user
may see filters inside the index instead of joining every match to its ticket (a word in
every message would otherwise mean hundreds of thousands of joins). Triggers on the ticket
keep it right when a ticket changes account, and on the message when it moves to another
ticket.

The body is what the sender wrote (`new_text`), or the whole text when that is empty:
quoted history would make every reply match its question again.

Indexes for the exact lookups (order numbers named in tickets, tracking numbers) are here
too: those columns belong to other apps but only search reads them that way.

`ensure()` is idempotent. It runs from the migration and again after every migrate,
because SQLite rebuilds a table (dropping its triggers) when a later migration of the
tickets app alters it; whatever was missing is made again and the index re-filled.

All SQL here is made of these constants; nothing a user typed is ever part of it.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

MIGRATION = ("search", "0001_message_index")

BODY = "coalesce(nullif({row}.new_text, ''), {row}.text, '')"
ACCOUNT = "(SELECT account_id FROM tickets_ticket WHERE id = {row}.ticket_id)"

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_message_fts USING fts5("
    "subject, body, account_id UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
_SQLITE_INSERT = (
    "INSERT INTO search_message_fts(rowid, subject, body, account_id) "  # noqa: S608
    f"VALUES (new.id, new.subject, {BODY.format(row='new')}, {ACCOUNT.format(row='new')});"
)
SQLITE_TRIGGERS = {
    "search_message_ai": (
        "CREATE TRIGGER IF NOT EXISTS search_message_ai AFTER INSERT ON tickets_message "
        f"BEGIN {_SQLITE_INSERT} END"
    ),
    "search_message_au": (
        "CREATE TRIGGER IF NOT EXISTS search_message_au "  # noqa: S608
        "AFTER UPDATE OF subject, text, new_text, ticket_id ON tickets_message BEGIN "
        f"DELETE FROM search_message_fts WHERE rowid = old.id; {_SQLITE_INSERT} END"
    ),
    "search_message_ad": (
        "CREATE TRIGGER IF NOT EXISTS search_message_ad AFTER DELETE ON tickets_message "
        "BEGIN DELETE FROM search_message_fts WHERE rowid = old.id; END"
    ),
    "search_ticket_au": (
        "CREATE TRIGGER IF NOT EXISTS search_ticket_au AFTER UPDATE OF account_id "
        "ON tickets_ticket BEGIN UPDATE search_message_fts SET account_id = new.account_id "
        "WHERE rowid IN (SELECT id FROM tickets_message WHERE ticket_id = new.id); END"
    ),
}
SQLITE_REFILL = (
    "DELETE FROM search_message_fts",
    "INSERT INTO search_message_fts(rowid, subject, body, account_id) "  # noqa: S608
    f"SELECT m.id, m.subject, {BODY.format(row='m')}, t.account_id "
    "FROM tickets_message m JOIN tickets_ticket t ON t.id = m.ticket_id",
)

PG_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce({row}.subject, '')), 'A') || "
    "setweight(to_tsvector('english', " + BODY + "), 'B')"
)
PG_TABLE = (
    # No foreign key on purpose: Django's test flush truncates the message table without
    # CASCADE and would refuse a table it does not know referencing it.
    "CREATE TABLE IF NOT EXISTS search_messagedoc (message_id bigint PRIMARY KEY, "
    "account_id bigint NOT NULL, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_messagedoc_document ON search_messagedoc "
    "USING GIN (document)",
)
PG_TRIGGERS = (
    f"""
    CREATE OR REPLACE FUNCTION search_message_sync() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_messagedoc WHERE message_id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO search_messagedoc(message_id, account_id, document)
        SELECT NEW.id, t.account_id, {PG_DOCUMENT.format(row="NEW")}
        FROM tickets_ticket t WHERE t.id = NEW.ticket_id
        ON CONFLICT (message_id) DO UPDATE
        SET account_id = EXCLUDED.account_id, document = EXCLUDED.document;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",  # noqa: S608
    """
    CREATE OR REPLACE FUNCTION search_message_truncate() RETURNS trigger AS $$
    BEGIN
        TRUNCATE search_messagedoc;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """
    CREATE OR REPLACE FUNCTION search_ticket_account() RETURNS trigger AS $$
    BEGIN
        UPDATE search_messagedoc SET account_id = NEW.account_id
        WHERE message_id IN (SELECT id FROM tickets_message WHERE ticket_id = NEW.id);
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS search_message_sync ON tickets_message",
    "CREATE TRIGGER search_message_sync AFTER INSERT OR DELETE OR UPDATE OF subject, text, "
    "new_text, ticket_id ON tickets_message FOR EACH ROW EXECUTE FUNCTION search_message_sync()",
    "DROP TRIGGER IF EXISTS search_message_truncate ON tickets_message",
    "CREATE TRIGGER search_message_truncate AFTER TRUNCATE ON tickets_message "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_message_truncate()",
    "DROP TRIGGER IF EXISTS search_ticket_account ON tickets_ticket",
    "CREATE TRIGGER search_ticket_account AFTER UPDATE OF account_id ON tickets_ticket "
    "FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) "
    "EXECUTE FUNCTION search_ticket_account()",
)
PG_TRIGGER_NAMES = ("search_message_sync", "search_message_truncate", "search_ticket_account")
PG_REFILL = (
    "TRUNCATE search_messagedoc",
    "INSERT INTO search_messagedoc(message_id, account_id, document) "  # noqa: S608
    f"SELECT m.id, t.account_id, {PG_DOCUMENT.format(row='m')} "
    "FROM tickets_message m JOIN tickets_ticket t ON t.id = m.ticket_id",
)

# Exact lookups: the order number a ticket named (linked or not) and tracking numbers.
LOOKUP_INDEXES = (
    "CREATE INDEX IF NOT EXISTS search_ticket_order_number ON tickets_ticket (order_number)",
    "CREATE INDEX IF NOT EXISTS search_orderline_tracking ON orders_orderline (tracking_number)",
)

TEARDOWN = {
    "sqlite": (
        *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
        "DROP TABLE IF EXISTS search_message_fts",
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS search_message_sync ON tickets_message",
        "DROP TRIGGER IF EXISTS search_message_truncate ON tickets_message",
        "DROP TRIGGER IF EXISTS search_ticket_account ON tickets_ticket",
        "DROP FUNCTION IF EXISTS search_message_sync()",
        "DROP FUNCTION IF EXISTS search_message_truncate()",
        "DROP FUNCTION IF EXISTS search_ticket_account()",
        "DROP TABLE IF EXISTS search_messagedoc",
    ),
}


def _one_column(connection: BaseDatabaseWrapper, sql: str, params: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {str(row[0]) for row in cursor.fetchall()}


def _triggers(connection: BaseDatabaseWrapper) -> set[str]:
    if connection.vendor == "sqlite":
        return _one_column(
            connection, "SELECT name FROM sqlite_master WHERE type = 'trigger'", []
        ) & set(SQLITE_TRIGGERS)
    return _one_column(
        connection, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal", []
    ) & set(PG_TRIGGER_NAMES)


def _current_shape(connection: BaseDatabaseWrapper) -> bool:
    """Whether the index table exists with today's columns (an older shape is rebuilt)."""
    if connection.vendor == "sqlite":
        columns = _one_column(
            connection, "SELECT name FROM pragma_table_info('search_message_fts')", []
        )
    else:
        columns = _one_column(
            connection,
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = current_schema()",
            ["search_messagedoc"],
        )
    return "account_id" in columns


def _index_name(statement: str) -> str:
    return statement.split(" ON ")[0].rsplit(" ", 1)[1]


def _index_names(connection: BaseDatabaseWrapper) -> set[str]:
    if connection.vendor == "sqlite":
        return _one_column(connection, "SELECT name FROM sqlite_master WHERE type = 'index'", [])
    return _one_column(
        connection, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()", []
    )


def ensure(connection: BaseDatabaseWrapper) -> bool:
    """Create what is missing; re-fill the index when anything had to be (re)made.
    Returns whether it re-filled."""
    vendor = connection.vendor
    if vendor not in TEARDOWN:
        return False
    expected = set(SQLITE_TRIGGERS) if vendor == "sqlite" else set(PG_TRIGGER_NAMES)
    shaped = _current_shape(connection)
    complete = shaped and _triggers(connection) == expected
    if not shaped:
        drop(connection)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for statement in (SQLITE_TABLE, *SQLITE_TRIGGERS.values()):
                cursor.execute(statement)
        else:
            for statement in PG_TABLE if complete else (*PG_TABLE, *PG_TRIGGERS):
                cursor.execute(statement)
        # Only the missing ones: PostgreSQL refuses even CREATE INDEX IF NOT EXISTS on a
        # table with pending deferred constraint checks (a migrate inside a transaction).
        existing = _index_names(connection)
        for statement in LOOKUP_INDEXES:
            if _index_name(statement) not in existing:
                cursor.execute(statement)
        if not complete:
            for statement in SQLITE_REFILL if vendor == "sqlite" else PG_REFILL:
                cursor.execute(statement)
    return not complete


def drop(connection: BaseDatabaseWrapper, *, lookups: bool = False) -> None:
    """Remove the message index and its triggers (a bulk load then runs `ensure()` to fill
    it in one go); `lookups`: the exact-lookup indexes too (the migration backwards)."""
    with connection.cursor() as cursor:
        for statement in TEARDOWN.get(connection.vendor, ()):
            cursor.execute(statement)
        if lookups:
            for statement in LOOKUP_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {_index_name(statement)}")


def index_installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the migration that creates the index is applied (post_migrate runs after a
    migration back to zero too, and must not re-create what it removed)."""
    return MIGRATION in MigrationRecorder(connection).applied_migrations()
