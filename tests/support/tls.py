"""A private certificate authority made for the test run, so TLS is tested with real
verification (no `CERT_NONE` shortcuts) and without touching the system trust store."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

# Clients connect by IP literal and by name; the certificate must match both, or hostname
# checking (which the transports never turn off) would reject it.
SERVER_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of one private CA and a server certificate it signed."""

    ca_file: Path  # the CA certificate: what clients pass as `ca_file`
    cert_file: Path  # the server certificate chain (leaf first)
    key_file: Path  # the server's private key, unencrypted

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting the certificate (for aiosmtpd)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client-side context trusting only the private CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_tls(directory: Path) -> TlsFiles:
    """Make a fresh CA and a server certificate for SERVER_NAMES, written under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert(*SERVER_NAMES)
    files = TlsFiles(
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.pem",
        key_file=directory / "server.key",
    )
    ca.cert_pem.write_to_path(str(files.ca_file))
    server.private_key_pem.write_to_path(str(files.key_file))
    # Dovecot reads the chain from one file; trustme issues the leaf straight from the root,
    # so the chain is just the leaf, but write all of it in case that changes.
    with files.cert_file.open("wb") as chain:
        for blob in server.cert_chain_pems:
            chain.write(blob.bytes())
    files.key_file.chmod(0o600)
    return files
