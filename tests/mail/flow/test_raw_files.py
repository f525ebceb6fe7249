"""Raw sources are written once under their hash; the same bytes share the file."""

from __future__ import annotations

from pathlib import Path

from sellerdesk.tickets.raw_storage import write_once


def test_same_bytes_share_one_file_and_leave_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "abc.eml"
    write_once(str(target), b"first", 0o644)
    write_once(str(target), b"first", 0o644)
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["abc.eml"]
    assert target.stat().st_mode & 0o777 == 0o644
