"""Sending one message over SMTP, with failures sorted by what is safe to do next.

The outbox sends each reply at most once, so the one question every failure must answer is
"could the server have accepted the message?". `smtplib.SMTP.sendmail` cannot answer it: a
connection lost while reading the reply to the final "." looks the same as one lost before
DATA. So the dialogue is driven step by step here, and the data phase is written out:

- anything before the end-of-data marker has been handed over, and any 4xx reply:
  `SmtpTemporaryError` (nothing was accepted; retry later);
- 5xx replies, refused recipients, failed authentication, TLS failures:
  `SmtpPermanentError` (retrying will not help; mark failed);
- the whole message and its "." were sent but no final reply came (connection lost, timeout):
  `SmtpUncertainError` (the server may have queued it; never resend on our own).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sellerdesk.mail.transport.tls import client_context

SECURITY_MODES = ("tls", "starttls", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "tls" (implicit TLS), "starttls", or "none"
    username: str = ""  # empty: no AUTH
    password: str = ""
    ca_file: str | None = None  # an extra CA bundle (a private CA); None: system trust only
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {SECURITY_MODES}, not {self.security!r}")


class SmtpError(Exception):
    """Base of the three outcomes below. `code` is the SMTP reply code, when there was one."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class SmtpTemporaryError(SmtpError):
    """Not accepted, and may work later (4xx, refused connection, timeout before the data
    was complete): safe to retry."""


class SmtpPermanentError(SmtpError):
    """Not accepted, and will not be (5xx, refused recipient, authentication or TLS failure)."""


class SmtpUncertainError(SmtpError):
    """The message was sent in full but the server's verdict never came: it may have been
    delivered. Never resend automatically."""


@dataclass(frozen=True)
class SmtpResult:
    accepted_at: datetime  # aware UTC, when the final 2xx reply arrived
    response: str  # the final reply, code first, e.g. "250 2.0.0 Ok: queued as 4C2B1"


def send(
    settings: SmtpSettings,
    *,
    sender: str,
    recipients: Sequence[str],
    raw: bytes,
    now: Callable[[], datetime] | None = None,
) -> SmtpResult:
    """Send `raw` from `sender` to every one of `recipients`, or to none.

    The message's line endings are sent as CRLF (SMTP's rule); a message that already uses
    CRLF arrives byte for byte. If any recipient is refused, the transaction is abandoned
    before DATA rather than delivered to some: a 4xx refusal makes it temporary, a 5xx one
    permanent. `now` is the clock for `accepted_at` (tests), default the system clock.
    """
    if not recipients:
        raise SmtpPermanentError("no recipients")
    clock = now or (lambda: datetime.now(UTC))
    client = _connect(settings)
    try:
        _prepare(client, settings)
        _envelope(client, sender, recipients, raw)
        code, reply = _data(client, raw)
        accepted_at = clock()
    finally:
        _quit(client)
    return SmtpResult(accepted_at=accepted_at, response=f"{code} {reply}")


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.security == "tls":
            return smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=client_context(settings.ca_file),
            )
        return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except smtplib.SMTPConnectError as error:  # the greeting was not 220
        raise _from_reply(f"{where} greeted", error.smtp_code, error.smtp_error) from error
    except ssl.SSLError as error:
        # Untrusted certificate, wrong host name, no TLS on this port: configuration.
        raise SmtpPermanentError(f"{where}: TLS failure: {error}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpTemporaryError(f"{where}: cannot connect: {error!r}") from error


def _prepare(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    """EHLO, STARTTLS when asked for (never falling back to plain text), AUTH when a user is
    set. Nothing here can deliver anything, so a lost connection is temporary."""
    try:
        client.ehlo_or_helo_if_needed()
        if settings.security == "starttls":
            if not client.has_extn("starttls"):
                raise SmtpPermanentError(f"{settings.host} does not offer STARTTLS")
            client.starttls(context=client_context(settings.ca_file))
            client.ehlo()  # the capabilities before TLS no longer count (RFC 3207)
        if settings.username:
            if not client.has_extn("auth"):
                raise SmtpPermanentError(f"{settings.host} does not offer AUTH here")
            client.login(settings.username, settings.password)
    except SmtpError:
        raise
    except smtplib.SMTPResponseException as error:  # includes SMTPAuthenticationError
        raise _from_reply("setup", error.smtp_code, error.smtp_error) from error
    except ssl.SSLError as error:
        raise SmtpPermanentError(f"STARTTLS failed: {error}") from error
    except smtplib.SMTPNotSupportedError as error:
        raise SmtpPermanentError(f"setup: {error}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpTemporaryError(f"setup: {error!r}") from error


def _envelope(client: smtplib.SMTP, sender: str, recipients: Sequence[str], raw: bytes) -> None:
    options: list[str] = []
    if client.has_extn("size"):
        options.append(f"SIZE={len(raw)}")
    if client.has_extn("8bitmime") and any(byte > 0x7F for byte in raw):
        options.append("BODY=8BITMIME")
    if not all(address.isascii() for address in (sender, *recipients)):
        if not client.has_extn("smtputf8"):
            raise SmtpPermanentError("non-ASCII address and the server lacks SMTPUTF8")
        options.append("SMTPUTF8")
    try:
        code, reply = client.mail(sender, options)
        if code != 250:
            raise _from_reply(f"MAIL FROM:<{sender}>", code, reply)
        refused: list[tuple[str, int, bytes]] = []
        for recipient in recipients:
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                refused.append((recipient, code, reply))
        if refused:
            _reset(client)
            # The worst refusal decides: one permanent refusal means it can never go to all.
            recipient, code, reply = max(refused, key=lambda item: item[1])
            raise _from_reply(f"RCPT TO:<{recipient}>", code, reply)
    except SmtpError:
        raise
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpTemporaryError(f"envelope: {error!r}") from error


def _data(client: smtplib.SMTP, raw: bytes) -> tuple[int, str]:
    """DATA, the dot-stuffed message, ".", and the verdict, each failure classified by
    whether the end-of-data marker may have reached the server."""
    try:
        code, reply = client.docmd("DATA")
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpTemporaryError(f"DATA: {error!r}") from error
    if code != 354:
        raise _from_reply("DATA", code, reply)
    try:
        # client.send wraps OSError as SMTPServerDisconnected. If it raises, sendall did not
        # hand over the last bytes, and the terminating "." is the last bytes: the server
        # cannot have accepted the message.
        client.send(_wire_body(raw))
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpTemporaryError(f"sending the message: {error!r}") from error
    try:
        code, reply = client.getreply()
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpUncertainError(
            f"the message was sent but no reply came: {error!r}; it may have been delivered"
        ) from error
    if code != 250:
        raise _from_reply("end of data", code, reply)
    return code, _text(reply)


def _wire_body(raw: bytes) -> bytes:
    """CRLF line endings, a leading "." doubled on every line (RFC 5321 4.5.2), and the
    end-of-data marker."""
    body = re.sub(rb"\r\n|\r|\n", b"\r\n", raw)
    body = re.sub(rb"(?m)^\.", b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _reset(client: smtplib.SMTP) -> None:
    # The transaction is abandoned either way: QUIT or closing the connection ends it.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        client.rset()


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye politely but never fail for it: by now the outcome is known."""
    try:
        if client.sock is not None:
            client.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        client.close()


def _from_reply(step: str, code: int, reply: bytes | str) -> SmtpError:
    message = f"{step}: {code} {_text(reply)}"
    if 400 <= code < 500:
        return SmtpTemporaryError(message, code=code)
    if code == -1:  # smtplib's marker for a reply it could not read
        return SmtpTemporaryError(message, code=None)
    return SmtpPermanentError(message, code=code)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
