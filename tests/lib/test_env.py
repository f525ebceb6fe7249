from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from sellerdesk.lib import env
from sellerdesk.lib.env import SettingError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False), ("", False)],
)
def test_env_bool_reads_common_words(raw: str, expected: bool) -> None:
    assert env.env_bool({"FLAG": raw}, "FLAG") is expected


def test_env_bool_names_the_variable_on_nonsense() -> None:
    with pytest.raises(SettingError, match="FLAG must be one of"):
        env.env_bool({"FLAG": "maybe"}, "FLAG")


def test_env_int_rejects_words_and_small_values() -> None:
    assert env.env_int({"N": "7"}, "N", 1) == 7
    assert env.env_int({}, "N", 3) == 3
    with pytest.raises(SettingError, match="N must be a whole number; got 'x'"):
        env.env_int({"N": "x"}, "N", 1)
    with pytest.raises(SettingError, match="N must be at least 1; got 0"):
        env.env_int({"N": "0"}, "N", 1, minimum=1)


def test_database_defaults_to_sqlite_in_the_var_dir_with_wal_timeout_and_immediate(
    tmp_path: Path,
) -> None:
    config = env.parse_database_url(None, var_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "sellerdesk.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == env.SQLITE_BUSY_TIMEOUT_SECONDS
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert env.is_sqlite(config)


def test_database_url_for_postgres(tmp_path: Path) -> None:
    config = env.parse_database_url("postgres://sd:pw@db.internal:6432/helpdesk", var_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("helpdesk", "sd", "pw")
    assert (config["HOST"], config["PORT"]) == ("db.internal", 6432)
    assert not env.is_sqlite(config)


def test_database_url_sqlite_path_keeps_the_embedded_options(tmp_path: Path) -> None:
    config = env.parse_database_url(f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path)
    assert config["NAME"] == f"{tmp_path}/x.db"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "DATABASE_URL must start with postgres:// or sqlite://"),
        ("postgres://user@host:5432/", "DATABASE_URL names no database"),
    ],
)
def test_database_url_errors_name_the_setting(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        env.parse_database_url(url, var_dir=tmp_path)


def test_redis_url_is_optional_and_validated() -> None:
    assert env.parse_redis_url(None) is None
    assert env.parse_redis_url("  ") is None
    assert env.parse_redis_url("redis://127.0.0.1:6379/2") == "redis://127.0.0.1:6379/2"
    with pytest.raises(SettingError, match="REDIS_URL must start with redis://"):
        env.parse_redis_url("http://127.0.0.1:6379")
    with pytest.raises(SettingError, match="REDIS_URL has a malformed port"):
        env.parse_redis_url("redis://127.0.0.1:port/0")


def test_email_url_variants() -> None:
    assert env.parse_email_url(None).backend.endswith("console.EmailBackend")
    starttls = env.parse_email_url("smtp://me%40x.com:p%40ss@mail.example:2525?from=desk@x.com")
    assert (starttls.host, starttls.port, starttls.user, starttls.password) == (
        "mail.example",
        2525,
        "me@x.com",
        "p@ss",
    )
    assert (starttls.use_tls, starttls.use_ssl, starttls.default_from) == (
        True,
        False,
        "desk@x.com",
    )
    implicit = env.parse_email_url("smtps://mail.example")
    assert (implicit.port, implicit.use_tls, implicit.use_ssl) == (465, False, True)
    with pytest.raises(SettingError, match="EMAIL_URL must start with smtp://"):
        env.parse_email_url("imap://mail.example")


def test_embedded_mode_generates_keys_once_into_the_var_dir(tmp_path: Path) -> None:
    first = env.load_keys({}, var_dir=tmp_path, embedded=True)
    second = env.load_keys({}, var_dir=tmp_path, embedded=True)
    assert first == second
    assert len(first.secret_key) >= 50
    Fernet(first.credentials_keys[0].encode())  # a usable key
    for name in (env.SECRET_KEY_FILE, env.CREDENTIALS_KEYS_FILE):
        mode = (tmp_path / name).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600, name


def test_keys_from_the_environment_win_and_nothing_is_written(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    keys = env.load_keys(
        {"SECRET_KEY": "s" * 60, "SELLERDESK_CREDENTIALS_KEYS": f"{key}, "},
        var_dir=tmp_path,
        embedded=True,
    )
    assert keys == env.Keys(secret_key="s" * 60, credentials_keys=(key,))
    assert list(tmp_path.iterdir()) == []


def test_shared_database_refuses_to_start_without_both_keys(tmp_path: Path) -> None:
    with pytest.raises(SettingError) as raised:
        env.load_keys({}, var_dir=tmp_path, embedded=False)
    assert "SECRET_KEY and SELLERDESK_CREDENTIALS_KEYS must be set" in str(raised.value)
    with pytest.raises(SettingError, match=r"^SELLERDESK_CREDENTIALS_KEYS must be set"):
        env.load_keys({"SECRET_KEY": "x" * 60}, var_dir=tmp_path, embedded=False)
    assert list(tmp_path.iterdir()) == []


def test_a_malformed_credentials_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        SettingError, match=r"SELLERDESK_CREDENTIALS_KEYS \(key 2\) holds a malformed key"
    ):
        env.load_keys(
            {
                "SECRET_KEY": "x",
                "SELLERDESK_CREDENTIALS_KEYS": f"{Fernet.generate_key().decode()},nope",
            },
            var_dir=tmp_path,
            embedded=False,
        )


def test_rotation_puts_the_new_key_first_and_keeps_the_old(tmp_path: Path) -> None:
    old = env.load_keys({}, var_dir=tmp_path, embedded=True).credentials_keys
    new = Fernet.generate_key().decode()
    assert env.prepend_embedded_credentials_key(tmp_path, new) == [new, *old]
    assert env.load_keys({}, var_dir=tmp_path, embedded=True).credentials_keys == (new, *old)
