"""The TLS client context both mail transports use."""

from __future__ import annotations

import ssl


def client_context(ca_file: str | None = None) -> ssl.SSLContext:
    """Verify certificates and host names against the system trust store, plus `ca_file`
    when given (a company's or a test run's private CA). Verification is never switched
    off: a mailbox password sent to an impostor cannot be taken back."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context
