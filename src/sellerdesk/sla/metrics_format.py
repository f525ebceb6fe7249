"""The figures of `metrics.figures` as text: a readable table for the command line, CSV rows
for the export, and durations people can read. Shared so the command, the page and the file
show the same numbers the same way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Columns of the table and of the CSV, in order: (key in the figures, heading).
COUNT_COLUMNS = (
    ("inquiries", "inquiries"),
    ("excluded", "excluded"),
    ("pending", "pending"),
    ("due_or_answered", "due or answered"),
    ("answered_in_time", "in time"),
    ("answered_late", "late"),
    ("closed_without_reply", "closed w/o reply"),
    ("breached", "breached"),
    ("tickets", "tickets"),
    ("resolved", "resolved"),
    ("reopened", "reopened"),
)

# A spreadsheet runs a cell starting with one of these as a formula; account and agent names
# are typed by people, so they are defused with a leading quote (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def duration(seconds: float | None) -> str:
    """`3 h 05 min`, `2 d 4 h`, `45 s`: rounded to what a person compares at a glance."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f} %"


def _rows(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [("all", data)]
    rows.extend((str(g["label"]), g) for g in data.get("groups", []))
    return rows


def as_table(data: dict[str, Any]) -> str:
    """The figures as plain text: a summary, the volumes, and one line per group."""
    lines = [
        f"Figures over {data['days']} days, {data['since']} to {data['as_of']}",
        "",
        f"Seller Response Rate  {percent(data['response_rate'])}"
        f"  ({data['answered_in_time']} in time of {data['due_or_answered']} due or answered;"
        f" target {percent(data['response_rate_target'])})",
        f"Breached inquiries    {data['breached']}",
        f"First response        mean {duration(data['first_response']['mean_seconds'])},"
        f" median {duration(data['first_response']['median_seconds'])}",
        f"Resolution            mean {duration(data['resolution']['mean_seconds'])},"
        f" median {duration(data['resolution']['median_seconds'])}",
        f"Reopen rate           {percent(data['reopen_rate'])}"
        f"  ({data['reopened']} of {data['resolved']} resolved)",
        "",
    ]
    for title, key in (("By intent", "by_intent"), ("By root cause", "by_root_cause")):
        lines.append(f"{title}:")
        lines.extend(f"  {name:<28} {count:>7}" for name, count in data[key].items())
        if not data[key]:
            lines.append("  (no tickets)")
        lines.append("")

    headings = ["", "rate", *(h for _, h in COUNT_COLUMNS), "1st resp. median", "resol. median"]
    table = [headings]
    for label, row in _rows(data):
        table.append(
            [
                label,
                percent(row["response_rate"]),
                *(str(row[key]) for key, _ in COUNT_COLUMNS),
                duration(row["first_response"]["median_seconds"]),
                duration(row["resolution"]["median_seconds"]),
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(headings))]
    for r in table:
        first = r[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(r[1:], widths[1:], strict=True))
        lines.append("  ".join([first, *rest]).rstrip())
    return "\n".join(lines) + "\n"


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_rows(data: dict[str, Any]) -> Iterator[list[str]]:
    """A heading row, then the totals ("all") and one row per group. Rates are fractions and
    durations seconds, so a spreadsheet can compute with them; an empty cell means none."""
    rows = _rows(data)
    intents = sorted({name for _, row in rows for name in row["by_intent"]})
    causes = sorted({name for _, row in rows for name in row["by_root_cause"]})
    yield [
        "group",
        "key",
        "days",
        "since",
        "as_of",
        "response_rate",
        *(key for key, _ in COUNT_COLUMNS),
        "answered",
        "first_response_mean_seconds",
        "first_response_median_seconds",
        "resolution_mean_seconds",
        "resolution_median_seconds",
        "reopen_rate",
        *(f"intent:{name}" for name in intents),
        *(f"root_cause:{name}" for name in causes),
    ]
    for label, row in rows:
        yield [
            _safe(label),
            _safe(row.get("key", "")),
            str(data["days"]),
            data["since"],
            data["as_of"],
            _safe(row["response_rate"]),
            *(str(row[key]) for key, _ in COUNT_COLUMNS),
            str(row["answered"]),
            _safe(row["first_response"]["mean_seconds"]),
            _safe(row["first_response"]["median_seconds"]),
            _safe(row["resolution"]["mean_seconds"]),
            _safe(row["resolution"]["median_seconds"]),
            _safe(row["reopen_rate"]),
            *(str(row["by_intent"].get(name, 0)) for name in intents),
            *(str(row["by_root_cause"].get(name, 0)) for name in causes),
        ]
