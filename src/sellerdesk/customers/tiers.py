"""Repeat-buyer tiers and the problem-buyer flag (pure: no Django).

The thresholds are the team's (`team.models.TeamSettings`, edited at /settings/buyers/);
the counts come from the buyer's orders, returns, refunds and cases. A threshold of 0 turns
that problem signal off: "flag after 0 returns" would flag every buyer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Tier(StrEnum):
    NEW = "new"
    RETURNING = "returning"
    LOYAL = "loyal"


@dataclass(frozen=True, slots=True)
class Thresholds:
    returning_orders: int
    loyal_orders: int
    loyal_spend: Decimal
    problem_returns_30d: int
    problem_cases_30d: int


@dataclass(frozen=True, slots=True)
class ProblemFlag:
    """Why a buyer is flagged, in words an agent reads at a glance; empty: not flagged."""

    reasons: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def buyer_tier(orders: int, spend: Decimal, thresholds: Thresholds) -> Tier:
    """Loyal from `loyal_orders` orders, or from `loyal_spend` whatever the number of orders
    (one big order makes a buyer worth keeping); returning from `returning_orders`."""
    if orders <= 0:
        return Tier.NEW
    if orders >= thresholds.loyal_orders or spend >= thresholds.loyal_spend:
        return Tier.LOYAL
    if orders >= thresholds.returning_orders:
        return Tier.RETURNING
    return Tier.NEW


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def problem_flag(returns_30d: int, cases_30d: int, thresholds: Thresholds) -> ProblemFlag:
    """Flag a buyer with at least `problem_returns_30d` returned or refunded items, or at
    least `problem_cases_30d` marketplace cases and escalations, in the last 30 days."""
    reasons = []
    if thresholds.problem_returns_30d and returns_30d >= thresholds.problem_returns_30d:
        reasons.append(
            f"{_plural(returns_30d, 'item', 'items')} returned or refunded in the last 30 days "
            f"(the team flags from {thresholds.problem_returns_30d})"
        )
    if thresholds.problem_cases_30d and cases_30d >= thresholds.problem_cases_30d:
        reasons.append(
            f"{_plural(cases_30d, 'case or escalation', 'cases and escalations')} in the last "
            f"30 days (the team flags from {thresholds.problem_cases_30d})"
        )
    return ProblemFlag(tuple(reasons))
