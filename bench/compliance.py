"""Benchmark: the compliance checker on the labelled message sets.

Loads tests/fixtures/compliance/working.jsonl and, when present, heldout.jsonl (written by
someone who never saw the rules, so it measures how well they generalise), and prints for
EACH set separately: per-rule precision and recall, block-level recall, the share of
compliant messages blocked, and the time to check a message (median and 95th percentile).

    .venv/bin/python bench/compliance.py            # both sets; goal: block recall >= 0.95,
                                                    # <= 2 % of compliant messages blocked,
                                                    # a typical message in <= 2 ms
    .venv/bin/python bench/compliance.py --smoke    # working set only, fewer timing runs
    .venv/bin/python bench/compliance.py --misses   # list the working set's misses

Exit status 0, unless a file is malformed (1).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sellerdesk.compliance.rules import RULES, Context, OrderFacts, Verdict, check  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "compliance"
# The labelled sets are written as of this day: "tomorrow" is judged against it.
TODAY = date(2026, 11, 29)
VERDICTS = ("block", "warn", "ok")


class Malformed(Exception):
    pass


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    context: Context
    expected: str
    rules: frozenset[str]


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _order(raw: Any) -> OrderFacts | None:
    if not raw:
        return None
    if not isinstance(raw, dict):
        raise Malformed("order is not an object")
    estimate = raw.get("estimated_delivery")
    return OrderFacts(
        carriers=_strings(raw.get("carriers", raw.get("carrier"))),
        tracking_numbers=_strings(raw.get("tracking_numbers", raw.get("tracking_number"))),
        shipped=bool(raw.get("shipped", False)),
        delivered=bool(raw.get("delivered", False)),
        estimated_delivery=date.fromisoformat(estimate) if estimate else None,
        refunded=bool(raw.get("refunded", False)),
    )


def case_from(raw: Any) -> Case:
    if not isinstance(raw, dict):
        raise Malformed("a line is not a JSON object")
    try:
        expected = raw["expected"]
        if expected not in VERDICTS:
            raise Malformed(f"expected must be one of {VERDICTS}, not {expected!r}")
        context = Context(
            marketplace=str(raw["marketplace"]).lower(),
            proactive=bool(raw.get("proactive", False)),
            order=_order(raw.get("order")),
            allow_domains=_strings(raw.get("allow_domains")),
            allow_phrases=_strings(raw.get("allow_phrases")),
            subject=str(raw.get("subject") or ""),
            attachments=_strings(raw.get("attachments")),
            today=date.fromisoformat(raw["today"]) if raw.get("today") else TODAY,
        )
        return Case(
            str(raw.get("id", "?")),
            str(raw["text"]),
            context,
            expected,
            frozenset(_strings(raw.get("rules"))),
        )
    except (KeyError, ValueError, TypeError) as error:
        raise Malformed(f"{type(error).__name__}: {error}") from None


def load(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cases.append(case_from(json.loads(line)))
        except (json.JSONDecodeError, Malformed) as error:
            raise Malformed(f"{path.name} line {number}: {error}") from None
    return cases


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "  -  "


def report(name: str, cases: list[Case], runs: int, misses: bool) -> None:
    verdicts: list[Verdict] = [check(c.text, c.context) for c in cases]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for case, verdict in zip(cases, verdicts, strict=True):
        found = {f.rule for f in verdict.findings}
        for rule in found | case.rules:
            if rule in found and rule in case.rules:
                tp[rule] += 1
            elif rule in found:
                fp[rule] += 1
            else:
                fn[rule] += 1
    print(f"== {name}: {len(cases)} messages")
    print(f"  {'rule':<18} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for rule in sorted(set(RULES) | set(tp) | set(fn) | set(fp)):
        labelled, found_n = tp[rule] + fn[rule], tp[rule] + fp[rule]
        print(
            f"  {rule:<18} {labelled:>8} {found_n:>6} {_ratio(tp[rule], found_n):>9} {_ratio(tp[rule], labelled):>7}"
        )
    pairs = list(zip(cases, verdicts, strict=True))
    blocks = [v for c, v in pairs if c.expected == "block"]
    compliant = [v for c, v in pairs if c.expected == "ok"]
    not_block = [v for c, v in pairs if c.expected != "block"]
    caught = sum(v.verdict == "block" for v in blocks)
    print(f"  block-level recall: {_ratio(caught, len(blocks))} ({caught}/{len(blocks)})")
    wrongly = sum(v.verdict == "block" for v in compliant)
    print(
        f"  compliant (ok) messages blocked: {_ratio(wrongly, len(compliant))} ({wrongly}/{len(compliant)})"
    )
    wrongly_nb = sum(v.verdict == "block" for v in not_block)
    print(
        f"  non-block messages blocked: {_ratio(wrongly_nb, len(not_block))} ({wrongly_nb}/{len(not_block)})"
    )
    exact = sum(v.verdict == c.expected for c, v in pairs)
    print(f"  verdict accuracy: {_ratio(exact, len(cases))} ({exact}/{len(cases)})")
    timings = []
    for case in cases:
        start = time.perf_counter()
        for _ in range(runs):
            check(case.text, case.context)
        timings.append((time.perf_counter() - start) * 1000 / runs)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(f"  time per message: median {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms")
    if misses:
        for case, verdict in pairs:
            found = {f.rule for f in verdict.findings}
            if verdict.verdict != case.expected or found != case.rules:
                print(
                    f"  MISS {case.id}: expected {case.expected} {sorted(case.rules)}, got {verdict.verdict} {sorted(found)}: {case.text[:90]!r}"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="working set only, quick timing")
    parser.add_argument("--misses", action="store_true", help="list the working set's misses")
    args = parser.parse_args(argv)
    sets = [("working", FIXTURES / "working.jsonl")]
    if not args.smoke:
        sets.append(("heldout", FIXTURES / "heldout.jsonl"))
    for name, path in sets:
        if not path.exists():
            print(f"== {name}: {path.name} not found, skipped")
            continue
        try:
            cases = load(path)
        except Malformed as error:
            print(f"malformed: {error}", file=sys.stderr)
            return 1
        # Held-out misses are never listed: the rule authors must not tune against them.
        report(name, cases, runs=3 if args.smoke else 20, misses=args.misses and name == "working")
    return 0


if __name__ == "__main__":
    sys.exit(main())
