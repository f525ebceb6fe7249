"""Reading a mailbox over IMAP (imapclient): folders, new UIDs, exact message bytes.

This module knows the protocol only; which UIDs were already taken, and what a UIDVALIDITY
change means for them, is the ingestion layer's business. Every failure surfaces as `ImapError`
with `permanent` set, so retries are decided in one place: a wrong password or a certificate
we do not trust will not fix itself, a refused connection or a timeout may.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

# imapclient ships no type information; these two names are all this module uses from it.
from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient import exceptions as imap_exceptions

from sellerdesk.mail.transport.tls import client_context

SECURITY_MODES = ("tls", "starttls", "none")

# The FETCH items we ask for. BODY.PEEK[] returns the whole message exactly as stored without
# setting \Seen (plain BODY[] or RFC822 would mark it read for the people who share the
# mailbox); the response names the item BODY[] all the same.
_FETCH_ITEMS = [b"BODY.PEEK[]", b"INTERNALDATE"]
_BODY = b"BODY[]"
_INTERNALDATE = b"INTERNALDATE"


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # "tls" (implicit TLS), "starttls", or "none"
    username: str
    password: str
    ca_file: str | None = None  # an extra CA bundle (a private CA); None: system trust only
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {SECURITY_MODES}, not {self.security!r}")


@dataclass(frozen=True)
class FetchedMail:
    folder: str
    uid: int
    uidvalidity: int
    internal_date: datetime | None  # IMAP INTERNALDATE, timezone-aware UTC
    raw: bytes  # the exact RFC 5322 bytes; b"" when the server could not give them


class ImapError(Exception):
    """Any IMAP failure. `permanent`: retrying without a change of settings will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Turn the zoo of socket, TLS, imaplib and imapclient exceptions into ImapError."""
    try:
        yield
    except ImapError:
        raise
    except ssl.SSLError as error:
        # Certificate verification or handshake failure: a configuration problem (wrong CA,
        # wrong host name, server speaks no TLS on this port); retrying changes nothing.
        # SSLError is an OSError, so this must come before the transient OSError branch.
        raise ImapError(f"{action}: TLS failure: {error}", permanent=True) from error
    except OSError as error:
        # Refused, reset, unreachable, timed out, name not resolved: the network or the
        # server may be back later.
        raise ImapError(f"{action}: {error!r}", permanent=False) from error
    except imap_exceptions.LoginError as error:
        text = str(error)
        # RFC 5530: [UNAVAILABLE] is the server's way of saying its auth backend is down,
        # which is not the user's password being wrong.
        permanent = "[UNAVAILABLE]" not in text
        raise ImapError(f"{action}: login failed: {text}", permanent=permanent) from error
    except imaplib.IMAP4.abort as error:
        # The connection died or the server said BYE mid-command.
        raise ImapError(f"{action}: connection lost: {error}", permanent=False) from error
    except imaplib.IMAP4.error as error:
        # A NO or BAD answer (missing folder, missing capability such as STARTTLS).
        text = str(error)
        permanent = "[UNAVAILABLE]" not in text and "[INUSE]" not in text
        raise ImapError(f"{action}: {text}", permanent=permanent) from error


def _as_utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:  # pragma: no cover - normalise_times is off, so it is aware
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class ImapMailbox:
    """One authenticated IMAP connection. Use as a context manager:

        with ImapMailbox(settings) as box:
            validity = box.select("INBOX")
            for mail in box.fetch("INBOX", box.uids_after("INBOX", last_uid)):
                ...

    Folders are opened read-only (EXAMINE): reading a mailbox never changes it.
    """

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self._client: IMAPClient | None = None
        self._selected: str | None = None
        self._uidvalidity = 0

    def __enter__(self) -> ImapMailbox:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def connect(self) -> None:
        """Connect, secure and log in (done by `with`, or on first use)."""
        if self._client is not None:
            return
        settings = self.settings
        context = client_context(settings.ca_file) if settings.security != "none" else None
        with _translated(f"connecting to {settings.host}:{settings.port}"):
            client = IMAPClient(
                settings.host,
                port=settings.port,
                ssl=settings.security == "tls",
                ssl_context=context,
                timeout=settings.timeout,
            )
        try:
            # Aware datetimes for INTERNALDATE; the default turns them into naive local time.
            client.normalise_times = False
            if settings.security == "starttls":
                with _translated("STARTTLS"):
                    client.starttls(context)
            with _translated(f"logging in as {settings.username}"):
                client.login(settings.username, settings.password)
        except BaseException:
            _shutdown(client)
            raise
        self._client = client

    def close(self) -> None:
        """Log out (best effort: the connection may already be gone)."""
        client, self._client, self._selected = self._client, None, None
        if client is not None:
            try:
                client.logout()
            except Exception:
                _shutdown(client)

    def folders(self) -> list[str]:
        """Names of the folders that can hold messages (\\Noselect parents left out)."""
        client = self._connected()
        with _translated("listing folders"):
            listing = client.list_folders()
        names = []
        for flags, _delimiter, name in listing:
            if any(flag.lower() in (b"\\noselect", b"\\nonexistent") for flag in flags):
                continue
            names.append(name.decode() if isinstance(name, bytes) else str(name))
        return names

    def select(self, folder: str) -> int:
        """Open `folder` read-only and return its UIDVALIDITY. Always re-opens, so the view
        of the folder is current."""
        client = self._connected()
        self._selected = None
        with _translated(f"selecting {folder}"):
            response = client.select_folder(folder, readonly=True)
        validity = response.get(b"UIDVALIDITY")
        if not isinstance(validity, int):
            raise ImapError(f"{folder}: the server sent no UIDVALIDITY", permanent=True)
        self._selected, self._uidvalidity = folder, validity
        return validity

    def uids_after(self, folder: str, last_uid: int) -> list[int]:
        """UIDs in `folder` greater than `last_uid`, ascending. Re-selects the folder, so
        messages that arrived since the last call are seen."""
        self.select(folder)
        client = self._connected()
        with _translated(f"searching {folder}"):
            found = client.search([b"UID", f"{last_uid + 1}:*".encode()])
        # RFC 3501: "N:*" is the range between N and the highest UID, in either order, so when
        # nothing is newer than last_uid the server still answers with the highest UID.
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(self, folder: str, uids: Sequence[int], batch: int = 50) -> Iterator[FetchedMail]:
        """The messages `uids` of `folder`, in UID order, `batch` per FETCH.

        What the server gives is what is yielded: a UID the server no longer has (expunged
        meanwhile) is left out, and a message the server lists but cannot read (it answers
        NO, sends no body, or hangs up on that message twice) is yielded with raw=b"" and
        internal_date=None, so the caller can quarantine it and move on instead of stalling
        the mailbox on it. The other messages of its batch are fetched one by one, on a new
        connection if the server hung up. A connection lost without the server saying BYE
        raises ImapError (transient): the network, not a message.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        if not uids:
            return
        if self._selected != folder:
            self.select(folder)
        wanted = sorted(set(uids))
        for start in range(0, len(wanted), batch):
            yield from self._fetch_batch(folder, wanted[start : start + batch])

    def append(
        self,
        folder: str,
        raw: bytes,
        internal_date: datetime | None = None,
        *,
        flags: Sequence[str] = (),
    ) -> None:
        """APPEND `raw` to `folder` with `internal_date` (aware) as its INTERNALDATE, for
        example a sent reply copied to Sent with flags=["\\Seen"]."""
        if internal_date is not None and internal_date.tzinfo is None:
            raise ValueError("internal_date must be timezone-aware")
        client = self._connected()
        with _translated(f"appending to {folder}"):
            client.append(folder, raw, flags=tuple(flags), msg_time=internal_date)

    def _fetch_batch(
        self, folder: str, uids: list[int], *, retried: bool = False
    ) -> Iterator[FetchedMail]:
        client = self._connected()
        try:
            with _translated(f"fetching {len(uids)} messages from {folder}"):
                response = client.fetch(uids, _FETCH_ITEMS)
        except ImapError as error:
            # Servers refuse a message they cannot read in two ways: a NO for the whole
            # FETCH (imaplib then drops the good messages too), or, as Dovecot 2.3 does, a
            # BYE that ends the connection. A lost connection without a BYE is the network,
            # not a message: the whole run stops and is retried later.
            said_bye = _said_bye(client)
            if not error.permanent and not said_bye:
                self._drop()
                raise
            if said_bye:
                self._reopen(folder)
            if len(uids) > 1:
                for uid in uids:  # find the bad one(s) by asking for each on its own
                    yield from self._fetch_batch(folder, [uid])
            elif said_bye and not retried:
                # Once more before giving up on it: a server that restarted or timed us out
                # also says BYE, and the message itself is then fine.
                yield from self._fetch_batch(folder, uids, retried=True)
            else:
                yield self._unreadable(folder, uids[0])
            return
        for uid in uids:
            item = response.get(uid)
            if item is None:
                continue  # expunged since the search: nothing to take
            body = item.get(_BODY)
            yield FetchedMail(
                folder=folder,
                uid=uid,
                uidvalidity=self._uidvalidity,
                internal_date=_as_utc(item.get(_INTERNALDATE)),
                raw=bytes(body) if isinstance(body, bytes | bytearray) else b"",
            )

    def _reopen(self, folder: str) -> None:
        """A new connection with `folder` selected again, after the server hung up on us.
        UIDs mean nothing under another UIDVALIDITY, so a change stops the fetch."""
        validity = self._uidvalidity
        self._drop()
        if self.select(folder) != validity:
            raise ImapError(f"{folder}: UIDVALIDITY changed during the fetch", permanent=False)

    def _drop(self) -> None:
        client, self._client, self._selected = self._client, None, None
        if client is not None:
            _shutdown(client)

    def _unreadable(self, folder: str, uid: int) -> FetchedMail:
        return FetchedMail(folder, uid, self._uidvalidity, None, b"")

    def _connected(self) -> IMAPClient:
        if self._client is None:
            self.connect()
        assert self._client is not None
        return self._client


def _said_bye(client: IMAPClient) -> bool:
    """Whether the server sent an untagged BYE (imaplib keeps it in untagged_responses)."""
    responses = getattr(getattr(client, "_imap", None), "untagged_responses", None)
    return isinstance(responses, dict) and bool(responses.get("BYE"))


def _shutdown(client: IMAPClient) -> None:
    # Closing a connection that may already be broken: there is nothing left to report.
    with contextlib.suppress(Exception):
        client.shutdown()
