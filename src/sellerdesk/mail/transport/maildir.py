"""Reading and delivering Maildir folders (for imports, tests, and the demo's mail emulator).

Reading never changes the Maildir (no moving new/ to cur/, no flags): the caller remembers
which keys it has taken, through `seen`. A key is the message's unique name without the
":2,FLAGS" info part, so it stays the same when a mail client moves it from new/ to cur/ or
flags it.
"""

from __future__ import annotations

import mailbox
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Delivery agents name files "<seconds>.<unique part>.<host>" where the unique part often
# carries microseconds as "M<usec>" (Dovecot, Python's mailbox, qmail-style tools).
_DELIVERY_NAME = re.compile(r"^(\d{9,12})\.([^.]*)")
_MICROSECONDS = re.compile(r"M(\d{1,6})(?!\d)")
# The separator between a unique name and its info ("2,S"); "!" on systems where ":" is not
# allowed in file names (Python's mailbox module uses the same rule).
_INFO_SEPARATORS = (":", "!")


@dataclass(frozen=True)
class MaildirMail:
    key: str  # the unique name, without the ":2,FLAGS" info
    path: Path
    delivered_at: datetime | None  # from the file name, else the file's mtime; aware UTC
    raw: bytes


def read_new(root: Path, seen: Callable[[str], bool] | None = None) -> Iterator[MaildirMail]:
    """Messages in `root`'s new/ and cur/ for which `seen(key)` is false, oldest delivery
    first (ties by key), so reading is repeatable.

    Raises FileNotFoundError when `root` is not a directory: a mistyped path must be
    reported, not read as an empty mailbox. A message that disappears while being read
    (moved by a mail client) is skipped: it is found under its new name on the next read.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"no Maildir at {root}")
    found: list[tuple[datetime, str, Path]] = []
    for subdir in ("new", "cur"):
        try:
            entries = list(os.scandir(root / subdir))
        except FileNotFoundError:
            continue  # some tools create the subdirectories only when they first need them
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file():
                continue
            key = _key(entry.name)
            if seen is not None and seen(key):
                continue
            try:
                delivered = _delivery_time(entry.name) or _mtime(entry.stat().st_mtime)
            except FileNotFoundError:
                continue
            found.append((delivered, key, Path(entry.path)))
    found.sort(key=lambda item: (item[0], item[1]))
    for delivered, key, path in found:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        yield MaildirMail(key=key, path=path, delivered_at=delivered, raw=raw)


def deliver(root: Path, raw: bytes, *, delivered_at: datetime | None = None) -> str:
    """Deliver `raw` into the Maildir at `root` (created if missing) and return its key.

    Python's mailbox module does the Maildir protocol: write under tmp/, then link into new/,
    so a reader never sees half a message. The bytes land unchanged (on POSIX the module's
    line-ending conversion is the identity). `delivered_at` backdates the delivery (the
    demo's relay replays mail that "arrived" hours ago): it goes into the file name, where
    delivery agents put it, and the mtime."""
    box = mailbox.Maildir(str(root), factory=None, create=True)
    key = str(box.add(raw))
    if delivered_at is None:
        return key
    moment = delivered_at.astimezone(UTC)
    _, _, rest = key.partition(".")
    dated = f"{int(moment.timestamp())}.M{moment.microsecond}{rest.partition('.')[0]}.{rest.partition('.')[2]}"
    os.rename(root / "new" / key, root / "new" / dated)
    os.utime(root / "new" / dated, (moment.timestamp(), moment.timestamp()))
    return dated


def _key(name: str) -> str:
    for separator in _INFO_SEPARATORS:
        if separator in name:
            return name.split(separator, 1)[0]
    return name


def _delivery_time(name: str) -> datetime | None:
    match = _DELIVERY_NAME.match(name)
    if match is None:
        return None
    seconds = int(match.group(1))
    micro = _MICROSECONDS.search(match.group(2))
    microseconds = int(micro.group(1)) if micro else 0
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(microsecond=microseconds)
    except (OverflowError, OSError, ValueError):
        return None


def _mtime(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
