"""Parse sellerdesk's settings out of the process environment.

Pure: no Django here, so the parsers can be tested without configuring Django and so
settings.py stays a short list of calls. Every parser raises `SettingError` naming the
variable, which the command line prints without a traceback.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from cryptography.fernet import Fernet

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

# SQLite waits this long for a competing writer before giving up; long enough for a burst of
# webhook and mail writes in the embedded mode, short enough that a stuck writer surfaces.
SQLITE_BUSY_TIMEOUT_SECONDS = 20


class SettingError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""


def env_bool(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise SettingError(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(environ: Mapping[str, str], name: str) -> list[str]:
    raw = environ.get(name, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def sqlite_database(path: Path) -> dict[str, Any]:
    """The embedded database: WAL so readers never block the writer, a busy timeout, and
    IMMEDIATE transactions so a transaction that reads then writes takes the write lock up
    front instead of failing with "database is locked" half-way."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


def parse_database_url(url: str | None, *, var_dir: Path) -> dict[str, Any]:
    """`DATABASE_URL` to a Django DATABASES entry; unset means SQLite under the var dir."""
    if url is None or url.strip() == "":
        return sqlite_database(var_dir / "sellerdesk.sqlite3")
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return sqlite_database(Path(str(dj_database_url.parse(url)["NAME"])))
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SettingError(
            f"DATABASE_URL must start with postgres:// or sqlite://; got scheme {scheme!r}"
        )
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
    except ValueError as error:
        raise SettingError(f"DATABASE_URL is malformed: {error}") from None
    if not config.get("NAME"):
        raise SettingError("DATABASE_URL names no database (postgres://user@host:5432/NAME)")
    return config


def is_sqlite(database: Mapping[str, Any]) -> bool:
    return str(database.get("ENGINE", "")).endswith("sqlite3")


def parse_redis_url(url: str | None) -> str | None:
    """`REDIS_URL` is optional; when given it must be a redis:// or rediss:// URL."""
    if url is None or url.strip() == "":
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in {"redis", "rediss"}:
        raise SettingError(f"REDIS_URL must start with redis:// or rediss://; got {url!r}")
    if not parts.hostname:
        raise SettingError("REDIS_URL names no host (redis://host:6379/0)")
    try:
        parts.port  # noqa: B018  (property access validates the port)
    except ValueError:
        raise SettingError(f"REDIS_URL has a malformed port: {url!r}") from None
    return url.strip()


@dataclass(frozen=True)
class EmailConfig:
    """Where Django's own mail (password resets, alerts) goes; replies to buyers use each
    seller account's SMTP settings instead."""

    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    default_from: str = "sellerdesk@localhost"


def parse_email_url(url: str | None) -> EmailConfig:
    """`EMAIL_URL`: unset prints mail to the console (password-reset links included);
    `smtp://user:pass@host:587?from=a@b` uses STARTTLS, `smtps://` implicit TLS,
    `smtp+plain://` neither (loopback relays)."""
    if url is None or url.strip() == "":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    parts = urlsplit(url.strip())
    schemes = {
        "smtp": (True, False, 587),
        "smtps": (False, True, 465),
        "smtp+plain": (False, False, 25),
    }
    if parts.scheme not in schemes:
        raise SettingError(
            f"EMAIL_URL must start with smtp://, smtps:// or smtp+plain://; got {url!r}"
        )
    if not parts.hostname:
        raise SettingError("EMAIL_URL names no host (smtp://user:password@host:587)")
    use_tls, use_ssl, default_port = schemes[parts.scheme]
    query = parse_qs(parts.query)
    return EmailConfig(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname,
        port=parts.port or default_port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        default_from=query.get("from", ["sellerdesk@localhost"])[0],
    )


@dataclass(frozen=True)
class Keys:
    """The two keys every process needs: Django's SECRET_KEY, and the Fernet keys that encrypt
    marketplace and mail credentials at rest (newest first; older ones still decrypt)."""

    secret_key: str
    credentials_keys: tuple[str, ...]


SECRET_KEY_FILE = "secret_key"
CREDENTIALS_KEYS_FILE = "credentials_keys"


def validate_fernet_key(key: str, *, name: str) -> str:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        raise SettingError(
            f"{name} holds a malformed key: each must be 32 url-safe base64-encoded bytes "
            "(make one with `sellerdesk keys generate`)"
        ) from None
    return key


def _write_private(path: Path, text: str) -> None:
    # O_EXCL: two processes starting at once must not each write a different key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _read_or_create(path: Path, make: str) -> str:
    with contextlib.suppress(FileExistsError):
        _write_private(path, make + "\n")
    return path.read_text().strip()


def load_keys(environ: Mapping[str, str], *, var_dir: Path, embedded: bool) -> Keys:
    """Keys come from the environment; only the embedded (SQLite) mode may generate missing
    ones into the var dir, because a shared database needs every process to hold the same
    keys and a key invented by one web process would make the others' ciphertext unreadable."""
    secret = environ.get("SECRET_KEY", "").strip()
    credentials = env_list(environ, "SELLERDESK_CREDENTIALS_KEYS")
    if not embedded:
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", secret),
                ("SELLERDESK_CREDENTIALS_KEYS", credentials),
            )
            if not value
        ]
        if missing:
            raise SettingError(
                f"{' and '.join(missing)} must be set when DATABASE_URL is not SQLite: every "
                "process sharing the database needs the same keys. Make them with "
                "`sellerdesk keys generate`."
            )
    if not secret or not credentials:
        var_dir.mkdir(parents=True, exist_ok=True)
    if not secret:
        secret = _read_or_create(var_dir / SECRET_KEY_FILE, secrets.token_urlsafe(50))
    if not credentials:
        stored = _read_or_create(var_dir / CREDENTIALS_KEYS_FILE, Fernet.generate_key().decode())
        credentials = [line.strip() for line in stored.splitlines() if line.strip()]
    for index, key in enumerate(credentials):
        validate_fernet_key(key, name=f"SELLERDESK_CREDENTIALS_KEYS (key {index + 1})")
    return Keys(secret_key=secret, credentials_keys=tuple(credentials))


def prepend_embedded_credentials_key(var_dir: Path, new_key: str) -> list[str]:
    """Rotation in the embedded mode: the new key goes first, the old ones stay so that
    existing ciphertext still decrypts until it is re-encrypted."""
    validate_fernet_key(new_key, name="the new credentials key")
    path = var_dir / CREDENTIALS_KEYS_FILE
    old = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    keys = [new_key, *[key for key in old if key != new_key]]
    temporary = path.with_suffix(".new")
    temporary.unlink(missing_ok=True)
    _write_private(temporary, "\n".join(keys) + "\n")
    temporary.replace(path)
    return keys
