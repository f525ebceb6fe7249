"""A small local SMTP server (aiosmtpd in a thread) that keeps what it receives in memory.

The demo points outgoing mail at it and lists what arrived; the tests send to it to prove the
exact bytes and envelope. It speaks plain SMTP, STARTTLS or implicit TLS, with optional AUTH,
so the real client code path is exercised, not a stand-in.
"""

from __future__ import annotations

import socket
import ssl
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

_START_ATTEMPTS = 5


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes  # the message as received, dot-stuffing undone
    received_at: datetime  # aware UTC
    queue_id: str  # also in the 250 reply, as a real relay would say it


class RecordingHandler:
    """An aiosmtpd handler that accepts every message and keeps it in `messages`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the server thread appends while others read
        self._messages: list[ReceivedMessage] = []

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def record(self, envelope: Envelope) -> ReceivedMessage:
        content = envelope.original_content or b""
        with self._lock:
            message = ReceivedMessage(
                mail_from=str(envelope.mail_from or ""),
                rcpt_tos=tuple(str(rcpt) for rcpt in envelope.rcpt_tos),
                content=bytes(content),
                received_at=datetime.now(UTC),
                queue_id=f"LOCAL{len(self._messages) + 1:06d}",
            )
            self._messages.append(message)
        return message

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = self.record(envelope)
        return f"250 2.0.0 Ok: queued as {message.queue_id}"


class LocalSmtpServer:
    """aiosmtpd on `host:port` (a free port when 0) in a background thread.

    tls_context: offer STARTTLS with this server context (require_starttls: insist on it).
    ssl_context: speak implicit TLS from the first byte instead.
    credentials: username -> password; when given, AUTH (PLAIN, LOGIN) is required.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        credentials: Mapping[str, str] | None = None,
        handler: RecordingHandler | None = None,
        hostname: str = "localhost",
    ) -> None:
        if tls_context is not None and ssl_context is not None:
            raise ValueError(
                "STARTTLS (tls_context) and implicit TLS (ssl_context) exclude each other"
            )
        self.host = host
        self.port = port
        self.handler = handler or RecordingHandler()
        self.tls_context = tls_context
        self.require_starttls = require_starttls
        self.ssl_context = ssl_context
        self.credentials = dict(credentials) if credentials is not None else None
        self.hostname = hostname
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        return self.handler.messages

    def start(self) -> Self:
        if self._controller is not None:
            return self
        wanted = self.port
        for attempt in range(_START_ATTEMPTS):
            port = wanted or _free_port(self.host)
            controller = _Controller(
                self.handler, hostname=self.host, port=port, **self._smtp_options()
            )
            try:
                controller.start()
            except OSError:
                # The free port was taken between probing and binding: try another one.
                if wanted or attempt == _START_ATTEMPTS - 1:
                    raise
                continue
            self.port, self._controller = port, controller
            return self
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _smtp_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "server_hostname": self.hostname,
            "ssl_context": self.ssl_context,
            "tls_context": self.tls_context,
            "require_starttls": bool(self.tls_context) and self.require_starttls,
            # Receive bytes exactly as sent; the demo and the tests compare them byte for byte.
            "decode_data": False,
        }
        if self.credentials is not None:
            options["authenticator"] = self._authenticate
            options["auth_required"] = True
            # aiosmtpd counts only STARTTLS as TLS when deciding whether AUTH may be offered,
            # not a connection that was TLS from the start; with implicit TLS the whole
            # session is encrypted, so let AUTH through there.
            options["auth_require_tls"] = self.ssl_context is None
        return options

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if self.credentials is None or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        username = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        expected = self.credentials.get(username)
        return AuthResult(success=expected is not None and expected == password, handled=False)


class _Controller(Controller):
    def factory(self) -> SMTP:
        # aiosmtpd warns on every connection when AUTH is required without STARTTLS, which
        # is deliberate here for implicit TLS (see _smtp_options).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
            return SMTP(self.handler, **self.SMTP_kwargs)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
