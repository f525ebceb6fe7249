"""The compliance checker: `check(message, context)` returns a verdict with every finding.

Pure (standard library only): the composer, snippets, automatic replies, the CLI and the
benchmark all call this one function. The detectors live in `rules_*` modules by theme."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sellerdesk.compliance.rules_base import (
    RULES,
    Context,
    Finding,
    OrderFacts,
    RuleInfo,
    Severity,
)
from sellerdesk.compliance.rules_contact import check_contact
from sellerdesk.compliance.rules_links import check_links
from sellerdesk.compliance.rules_orders import check_misleading
from sellerdesk.compliance.rules_text import check_attachments, check_subject_format, check_text

__all__ = [
    "RULES",
    "Context",
    "Finding",
    "OrderFacts",
    "RuleInfo",
    "Severity",
    "Verdict",
    "check",
]


@dataclass(frozen=True)
class Verdict:
    verdict: str
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "findings": [{**asdict(f), "severity": f.severity.value} for f in self.findings],
        }


def _allowed_spans(text: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the account's allow-listed phrases occur. Phone numbers match by their digits,
    so "(479) 555-0100" is allowed when "479-555-0100" is registered."""
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for phrase in phrases:
        needle = phrase.strip().lower()
        if not needle:
            continue
        start = lowered.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + 1)
        digits = re.sub(r"\D", "", phrase)
        if len(digits) >= 7:
            for m in re.finditer(r"[+(]?\d[\d\s().\-]{5,}\d", text):
                found = re.sub(r"\D", "", m.group(0))
                if found and (found == digits or found.endswith(digits) or digits.endswith(found)):
                    spans.append(m.span())
    return spans


def _scan(text: str, context: Context, in_subject: bool) -> list[Finding]:
    taken: list[tuple[int, int]] = []
    found = check_contact(text, context, taken)
    found += check_links(text, context, taken)
    found += check_text(text, context, in_subject)
    found += check_misleading(text, context)
    allowed = _allowed_spans(text, context.allow_phrases)
    kept = [
        f
        for f in found
        if not any((s <= f.start and f.end <= e) or (s < f.end and f.start < e) for s, e in allowed)
    ]
    if in_subject:
        kept = [
            Finding(
                f.rule, f.severity, f.start, f.end, f.excerpt, f.explanation, f.suggestion, True
            )
            for f in kept
        ]
    return kept


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and place: overlapping spans of the same rule keep the longest."""
    ordered = sorted(findings, key=lambda f: (f.in_subject, f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for f in ordered:
        if f.start >= 0 and any(
            k.rule == f.rule
            and k.in_subject == f.in_subject
            and k.start < f.end
            and f.start < k.end
            for k in kept
        ):
            continue
        kept.append(f)
    return kept


def check(message: str, context: Context) -> Verdict:
    findings = _scan(message, context, in_subject=False)
    if context.subject:
        findings += _scan(context.subject, context, in_subject=True)
        findings += [
            Finding(
                f.rule, f.severity, f.start, f.end, f.excerpt, f.explanation, f.suggestion, True
            )
            for f in check_subject_format(context.subject, message, context)
        ]
    findings += check_attachments(context)
    # Only warn-level rules can be switched off: a block protects the account itself.
    findings = [
        f
        for f in _dedupe(findings)
        if not (f.severity is Severity.WARN and f.rule in context.disabled_rules)
    ]
    if any(f.severity is Severity.BLOCK for f in findings):
        verdict = "block"
    elif findings:
        verdict = "warn"
    else:
        verdict = "ok"
    return Verdict(verdict, tuple(findings))
