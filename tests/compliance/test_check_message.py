"""`sellerdesk check-message`: JSON on stdout and the exit code of the verdict."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sellerdesk.compliance.management.commands.check_message import Command


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    monkey = pytest.MonkeyPatch()
    monkey.setattr("sys.stdin", io.StringIO(stdin))
    code = 0
    try:
        Command().run_from_argv(["sellerdesk", "check_message", *argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        monkey.undo()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_block_exits_10_with_the_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["--marketplace", "walmart", "-"], capsys, "Visit our store at example-shop.com for 10% off"
    )
    data = json.loads(out)
    assert code == 10
    assert data["verdict"] == "block"
    assert {f["rule"] for f in data["findings"]} == {"link", "promotion"}
    assert data["findings"][1]["excerpt"] == "example-shop.com"


def test_ok_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    message = tmp_path / "reply.txt"
    message.write_text("Your UPS tracking number is 1Z999AA10123456784", encoding="utf-8")
    code, out, _ = run(["--marketplace", "amazon", str(message)], capsys)
    assert (code, json.loads(out)) == (0, {"verdict": "ok", "findings": []})


def test_warn_exits_20_and_the_subject_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["--marketplace", "amazon", "--proactive", "--subject", "[Important] hello", "-"],
        capsys,
        "Could you tell us which size you need?",
    )
    data = json.loads(out)
    assert code == 20
    assert data["findings"][0]["in_subject"] is True


def test_an_unreadable_file_exits_66(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(["--marketplace", "walmart", str(tmp_path / "missing.txt")], capsys)
    assert (code, out) == (66, "")
    assert "cannot read" in err


@pytest.mark.parametrize(
    "argv", [["-"], ["--marketplace", "ebay", "-"], ["--marketplace", "walmart", "a", "b"]]
)
def test_bad_usage_exits_64(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 64
    assert "usage" in err
