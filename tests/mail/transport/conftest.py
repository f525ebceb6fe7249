"""Real servers on loopback for the transport tests: one Dovecot and one private CA for the
whole session (starting Dovecot costs a second), and a fresh IMAP user per test so tests
never see each other's mail."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dovecot import PASSWORD, Dovecot, running_dovecot
from tests.support.tls import TlsFiles, make_tls


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_user(dovecot: Dovecot, request: pytest.FixtureRequest) -> str:
    digest = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
    return dovecot.add_user(f"u{digest}")


@pytest.fixture
def imap_password() -> str:
    return PASSWORD


@pytest.fixture
def maildir_root(tmp_path: Path) -> Path:
    return tmp_path / "Maildir"
