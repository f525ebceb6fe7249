"""The snippet renderer, pure: variables filled from plain data, missing values named and
never rendered as nothing, unknown variables and stray braces refused, dates in the account's
time zone, and snippets that contradict the order flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sellerdesk.snippets.render import (
    VARIABLES,
    OrderState,
    SnippetContext,
    TemplateError,
    buyer_date,
    contradictions,
    money,
    render,
    template_problems,
    unfilled_variables,
    variables_in,
)

TODAY = date(2026, 11, 29)  # a Sunday
SHIPPED = OrderState(shipped=True, delivered=False, refunded=False)
DELIVERED = OrderState(shipped=True, delivered=True, refunded=False)
UNSHIPPED = OrderState(shipped=False, delivered=False, refunded=False)
REFUNDED = OrderState(shipped=True, delivered=True, refunded=True)


def full(**changes: object) -> SnippetContext:
    values: dict[str, object] = {
        "buyer_name": "Jane Q. Buyer",
        "order_number": "200012345678901",
        "product_name": "Ceramic Lamp",
        "sku": "LAMP-01",
        "carrier": "UPS",
        "tracking_number": "1Z999AA10123456784",
        "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
        "est_delivery": datetime(2026, 12, 1, 20, 0, tzinfo=UTC),
        "ship_date": datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
        "refund_amount": Decimal("24.99"),
        "agent_name": "Sam",
        "store_name": "Acme Home Goods",
        "time_zone": "America/Chicago",
        "today": TODAY,
        "order": SHIPPED,
    }
    values.update(changes)
    return SnippetContext(**values)  # type: ignore[arg-type]


def test_every_variable_is_filled_from_the_context() -> None:
    template = " | ".join(f"{{{name}}}" for name in VARIABLES)

    rendered = render(template, full())

    assert rendered.text == (
        "Jane Q. Buyer | Jane | 200012345678901 | Ceramic Lamp | LAMP-01 | UPS | "
        "1Z999AA10123456784 | https://www.ups.com/track?tracknum=1Z999AA10123456784 | "
        "Tuesday, December 1 | Friday, November 27 | $24.99 | Sam | Acme Home Goods"
    )
    assert rendered.missing == ()
    assert rendered.ready


def test_a_missing_value_is_named_and_never_rendered_as_nothing() -> None:
    rendered = render(
        "Hi {buyer_first_name}, tracking {tracking_number} ({carrier}); again {tracking_number}.",
        full(buyer_name="", tracking_number="", carrier="   "),
    )

    assert rendered.missing == ("buyer_first_name", "tracking_number", "carrier")
    assert rendered.missing_labels == ("buyer's first name", "tracking number", "carrier")
    assert not rendered.ready
    # The gap keeps its name, so the reply guard still sees it: never "Hi ,".
    assert rendered.text == (
        "Hi {buyer_first_name}, tracking {tracking_number} ({carrier}); again {tracking_number}."
    )
    assert "Hi ," not in rendered.text
    assert [p.variable for p in rendered.pieces if p.missing] == [
        "buyer_first_name",
        "tracking_number",
        "carrier",
        "tracking_number",
    ]


def test_an_unknown_variable_is_refused_with_the_known_ones_listed() -> None:
    problems = template_problems("Hi {buyer_nmae}, your {order_number} shipped.")

    assert len(problems) == 1
    assert problems[0].startswith("Unknown variable {buyer_nmae}. Known: {buyer_name},")
    with pytest.raises(TemplateError) as refused:
        render("Hi {buyer_nmae}", full())
    assert refused.value.problems == tuple(problems)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Hi {buyer_first_name", "A lone “{” at character 4: write “{{” for a literal brace."),
        ("Price: 10} dollars", "A lone “}” at character 10: write “}}” for a literal brace."),
        ("Hi { buyer_name }", "“{ buyer_name }” is not a variable"),
        ("Code {1abc}", "“{1abc}” is not a variable"),
    ],
)
def test_stray_braces_are_refused(template: str, problem: str) -> None:
    problems = template_problems(template)

    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_doubled_braces_are_literal_braces() -> None:
    rendered = render("Use {{code}} and }} here, {buyer_first_name}.", full())

    assert rendered.text == "Use {code} and } here, Jane."
    assert template_problems("Use {{code}} and }} here.") == []
    assert variables_in("{{x}} {sku} {sku} {carrier}") == ("sku", "carrier")


def test_dates_are_shown_in_the_accounts_time_zone() -> None:
    # 03:30 UTC on December 2 is still December 1 in Chicago, already December 2 in Berlin.
    moment = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)

    assert buyer_date(moment, "America/Chicago", TODAY) == "Tuesday, December 1"
    assert buyer_date(moment, "Europe/Berlin", TODAY) == "Wednesday, December 2"
    chicago = render("{est_delivery_date}", full(est_delivery=moment)).text
    tokyo = render("{est_delivery_date}", full(est_delivery=moment, time_zone="Asia/Tokyo")).text
    assert (chicago, tokyo) == ("Tuesday, December 1", "Wednesday, December 2")


def test_a_date_in_another_year_carries_its_year_and_far_dates_drop_the_weekday() -> None:
    # A weekday more than six days ahead would read as the nearer one ("by Tuesday").
    assert buyer_date(datetime(2026, 12, 9, 18, tzinfo=UTC), "UTC", TODAY) == "December 9"
    assert buyer_date(datetime(2027, 1, 2, 18, tzinfo=UTC), "UTC", TODAY) == "January 2, 2027"
    assert buyer_date(datetime(2025, 11, 3, 18, tzinfo=UTC), "UTC", TODAY) == (
        "Monday, November 3, 2025"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        buyer_date(datetime(2026, 12, 1), "UTC", TODAY)


def test_money_is_written_for_buyers() -> None:
    assert money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert money(Decimal("9.999"), "CAD") == "CA$10.00"
    assert money(Decimal("12"), "SEK") == "12.00 SEK"
    assert money(Decimal("0"), "USD") == ""
    assert money(None, "USD") == ""


def test_the_first_name_is_the_first_word_of_the_name() -> None:
    assert full(buyer_name="  Doe, Jane ").values()["buyer_first_name"] == "Doe"
    assert full(buyer_name="Jane").values()["buyer_first_name"] == "Jane"
    assert full(buyer_name="").values()["buyer_first_name"] == ""


def test_on_its_way_contradicts_a_delivered_order() -> None:
    found = contradictions("Good news: your order is on its way!", DELIVERED)

    assert found == (
        "The order has been delivered, but this says it is still on its way (“on its way”).",
    )
    assert contradictions("Good news: your order is on its way!", SHIPPED) == ()


def test_shipped_and_delivered_contradict_an_order_that_has_not_shipped() -> None:
    found = contradictions(
        "Your order has shipped with {carrier}. Tracking says it was delivered.", UNSHIPPED
    )

    assert found == (
        "The order has not shipped yet, but this says it has (“has shipped”).",
        "The order has not shipped yet, but this says it was delivered (“was delivered”).",
    )


def test_negated_and_conditional_claims_are_not_contradictions() -> None:
    text = (
        "Your order has not shipped yet. Once it has shipped you will get tracking; "
        "it will be delivered soon and is not on its way yet."
    )

    assert contradictions(text, UNSHIPPED) == ()
    assert contradictions(text, DELIVERED) == ()


def test_a_refund_snippet_contradicts_an_order_with_nothing_refunded() -> None:
    claim = "We have issued a refund to your card."
    amount = "Your refund of {refund_amount} is being prepared."

    assert contradictions(claim, DELIVERED) == (
        "Nothing has been refunded on this order, but this says a refund was made "
        "(“We have issued a refund”).",
    )
    assert contradictions(amount, DELIVERED) == (
        "Nothing has been refunded on this order, but this snippet is about a refund.",
    )
    assert contradictions(claim, REFUNDED) == ()
    assert contradictions(amount, REFUNDED) == ()


def test_a_cancellation_contradicts_an_order_that_already_shipped() -> None:
    assert contradictions("We have cancelled your order.", SHIPPED) == (
        "The order has already shipped, but this says it was cancelled (“We have cancelled”).",
    )
    assert contradictions("We have cancelled your order.", UNSHIPPED) == ()


def test_values_filled_in_never_count_as_the_snippets_words() -> None:
    # A product called "Delivered Fresh" is not a claim about the order.
    rendered = render(
        "Your {product_name} order is being prepared.",
        full(product_name="Has Been Delivered Fresh Coffee", order=UNSHIPPED),
    )

    assert rendered.contradictions == ()


def test_without_an_order_nothing_can_contradict() -> None:
    assert contradictions("It is on its way and was delivered and refunded.", None) == ()


def test_unfilled_variables_are_found_with_their_spans() -> None:
    text = "Hi Jane, your tracking number is {tracking_number}. {not_a_variable} {{sku}"

    assert unfilled_variables(text) == [(33, 50, "tracking_number"), (70, 75, "sku")]
    assert unfilled_variables("Hi Jane, all filled in.") == []
