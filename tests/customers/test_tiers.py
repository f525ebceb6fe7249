"""Repeat-buyer tiers and the problem-buyer flag (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sellerdesk.customers.tiers import Thresholds, Tier, buyer_tier, problem_flag

DEFAULTS = Thresholds(
    returning_orders=2,
    loyal_orders=5,
    loyal_spend=Decimal("500"),
    problem_returns_30d=3,
    problem_cases_30d=2,
)


@pytest.mark.parametrize(
    ("orders", "spend", "tier"),
    [
        (0, Decimal("0"), Tier.NEW),
        (1, Decimal("499.99"), Tier.NEW),
        (2, Decimal("20"), Tier.RETURNING),
        (4, Decimal("499.99"), Tier.RETURNING),
        (5, Decimal("10"), Tier.LOYAL),
        (1, Decimal("500"), Tier.LOYAL),
    ],
)
def test_tiers_follow_the_team_thresholds(orders: int, spend: Decimal, tier: Tier) -> None:
    assert buyer_tier(orders, spend, DEFAULTS) == tier


def test_a_buyer_without_orders_is_new_even_when_the_spend_threshold_is_zero() -> None:
    free = Thresholds(2, 5, Decimal("0"), 3, 2)

    assert buyer_tier(0, Decimal("0"), free) == Tier.NEW
    assert buyer_tier(1, Decimal("0"), free) == Tier.LOYAL


def test_below_both_problem_thresholds_the_buyer_is_not_flagged() -> None:
    flag = problem_flag(2, 1, DEFAULTS)

    assert flag.flagged is False and flag.reasons == ()


def test_returns_at_the_threshold_flag_the_buyer_with_the_reason_in_words() -> None:
    flag = problem_flag(3, 0, DEFAULTS)

    assert flag.flagged is True
    assert flag.reasons == (
        "3 items returned or refunded in the last 30 days (the team flags from 3)",
    )


def test_cases_and_returns_both_give_their_reasons() -> None:
    flag = problem_flag(4, 2, DEFAULTS)

    assert flag.reasons == (
        "4 items returned or refunded in the last 30 days (the team flags from 3)",
        "2 cases and escalations in the last 30 days (the team flags from 2)",
    )


def test_one_case_reads_in_the_singular() -> None:
    strict = Thresholds(2, 5, Decimal("500"), 1, 1)

    assert problem_flag(1, 1, strict).reasons == (
        "1 item returned or refunded in the last 30 days (the team flags from 1)",
        "1 case or escalation in the last 30 days (the team flags from 1)",
    )


def test_a_zero_threshold_turns_that_signal_off() -> None:
    off = Thresholds(2, 5, Decimal("500"), 0, 0)

    assert problem_flag(40, 12, off).flagged is False
