"""Keeping a message's raw source in storage, written once per distinct content."""

from __future__ import annotations

import contextlib
import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from sellerdesk.tickets.models import Message


def keep_raw(message: Message, raw: bytes) -> None:
    """Write the raw source named by its sha256. On the local file system this skips the
    storage's exists/makedirs/unique-name round trips (several syscalls per message): equal
    names mean equal bytes, so a duplicate body shares the file already there."""
    field = message.raw.field
    name = field.generate_filename(message, f"{message.raw_sha256}.eml")
    storage = field.storage
    if isinstance(storage, FileSystemStorage):
        with contextlib.suppress(FileNotFoundError):
            # Missing only for a new month's directory, which the storage below creates
            # with its own permissions.
            write_once(storage.path(name), raw, storage.file_permissions_mode)
            message.raw.name = name
            return
    message.raw.save(name.rsplit("/", 1)[-1], ContentFile(raw), save=False)


def write_once(path: str, data: bytes, mode: int | None) -> None:
    # Written under a temporary name and linked into place, so a crash mid-write never
    # leaves a partial file that a later message with the same hash would share.
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        # An existing file holds the same bytes, stored by an earlier message: shared.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
