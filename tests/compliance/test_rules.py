"""The pure checker: exact findings on targeted cases, allow-lists, switches, the API shape."""

from __future__ import annotations

from datetime import date

import pytest

from sellerdesk.compliance.rules import RULES, Context, OrderFacts, Severity, check

TODAY = date(2026, 11, 29)
UPS = OrderFacts(carriers=("UPS",), tracking_numbers=("1Z999AA10123456784",), shipped=True)


def spans(message: str, context: Context) -> list[tuple[str, Severity, int, int, str]]:
    return [
        (f.rule, f.severity, f.start, f.end, f.excerpt) for f in check(message, context).findings
    ]


def test_the_issue_example_blocks_with_a_link_and_a_promotion() -> None:
    text = "Visit our store at example-shop.com for 10% off"
    assert spans(text, Context("walmart")) == [
        ("promotion", Severity.BLOCK, 0, 15, "Visit our store"),
        ("link", Severity.BLOCK, 19, 35, "example-shop.com"),
        ("promotion", Severity.BLOCK, 40, 47, "10% off"),
    ]
    assert check(text, Context("walmart")).verdict == "block"


def test_a_tracking_number_for_a_shipped_order_passes() -> None:
    text = "Your UPS tracking number is 1Z999AA10123456784"
    assert check(text, Context("walmart", order=UPS)).verdict == "ok"
    assert check(text, Context("walmart")).verdict == "ok"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.ups.com/track?tracknum=1Z999AA10123456784", True),
        (
            "https://www.fedex.com/fedextrack/?trknbr=771234567890",
            False,
        ),  # not this order's carrier
        ("https://www.ups.com.example.net/track", False),
        ("https://walmart.com@evil.io/orders", False),
        ("https://www.walmart.com/orders", True),
        ("https://bit.ly/3xYz", False),
        ("http://203.0.113.9/x", False),
        ("https://xn--wlmart-4ra.com/", False),
        ("hxxps://shop.example/x", False),
    ],
)
def test_links_are_judged_by_their_real_host(url: str, ok: bool) -> None:
    text = f"Here you go: {url} thanks"
    findings = check(text, Context("walmart", order=UPS)).findings
    assert (findings == ()) is ok
    if not ok:
        (link,) = findings
        assert (link.rule, link.start, link.excerpt) == ("link", 13, url)


def test_disguised_domains_and_emails() -> None:
    assert spans("See acme dot com today", Context("amazon")) == [
        ("link", Severity.BLOCK, 4, 16, "acme dot com")
    ]
    assert spans("Write to bob (at) gmail dot com", Context("amazon")) == [
        ("off_platform", Severity.BLOCK, 9, 31, "bob (at) gmail dot com")
    ]


@pytest.mark.parametrize(
    "phone", ["(479) 555-0143", "479.555.0143", "+1 479 555 0143", "4795550143", "1-800-555-0199"]
)
def test_phone_numbers_in_any_format(phone: str) -> None:
    text = f"Call {phone} now"
    assert spans(text, Context("walmart")) == [
        ("off_platform", Severity.BLOCK, 5, 5 + len(phone), phone)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Order 112-7366207-0755439 is confirmed.",
        "PO 1796277083022 costs $1,249.99, ships from 72716-1234 at 10:30.",
        "Tracking number 771234567890 shows movement.",
        "It arrives 2026-12-03.",
    ],
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert check(text, Context("amazon")).findings == ()


def test_allow_phrases_are_never_flagged() -> None:
    text = "Our registered support line is (479) 555-0100."
    assert check(text, Context("walmart")).verdict == "block"
    assert check(text, Context("walmart", allow_phrases=("479-555-0100",))).verdict == "ok"


def test_allow_domains_extend_the_marketplace() -> None:
    text = "Manual: https://help.acme.com/x200"
    assert check(text, Context("walmart", allow_domains=("acme.com",))).verdict == "ok"


def test_review_request_warns_on_walmart_only_and_can_be_switched_off() -> None:
    text = "If you have a moment, please leave a review."
    verdict = check(text, Context("walmart"))
    assert (verdict.verdict, [f.rule for f in verdict.findings]) == ("warn", ["review_request"])
    assert check(text, Context("amazon")).verdict == "ok"
    off = Context("walmart", disabled_rules=frozenset({"review_request"}))
    assert check(text, off).verdict == "ok"


def test_block_rules_cannot_be_switched_off() -> None:
    ctx = Context("walmart", disabled_rules=frozenset({"link"}))
    assert check("see evil.io", ctx).verdict == "block"


def test_review_incentive_spans_the_review_and_the_reward() -> None:
    assert spans("Five stars for 10% off!", Context("amazon")) == [
        ("review_incentive", Severity.BLOCK, 0, 22, "Five stars for 10% off"),
        ("promotion", Severity.BLOCK, 15, 22, "10% off"),
    ]


def test_misleading_promises_are_checked_against_the_order() -> None:
    order = OrderFacts(shipped=False, estimated_delivery=date(2026, 12, 4))
    ctx = Context("walmart", order=order, today=TODAY)
    text = "It has shipped and will arrive tomorrow. We have refunded you."
    rules = [(f.rule, f.excerpt) for f in check(text, ctx).findings]
    assert rules == [
        ("misleading", "has shipped"),
        ("misleading", "arrive tomorrow"),
        ("misleading", "We have refunded you"),
    ]
    true_order = OrderFacts(shipped=True, refunded=True, estimated_delivery=date(2026, 11, 30))
    assert check(text, Context("walmart", order=true_order, today=TODAY)).verdict == "ok"
    # Without order data nothing can be judged.
    assert check(text, Context("walmart", today=TODAY)).verdict == "ok"


def test_amazon_format_rules_warn() -> None:
    ctx = Context(
        "amazon",
        subject="[Important] About your order",
        attachments=("invoice.pdf", "catalog.pdf"),
    )
    verdict = check("Thanks! 😊 Reply STOP to opt out.", ctx)
    assert verdict.verdict == "warn"
    got = [(f.rule, f.severity, f.start, f.end, f.excerpt, f.in_subject) for f in verdict.findings]
    assert got == [
        ("amazon_format", Severity.WARN, -1, -1, "catalog.pdf", False),
        ("amazon_format", Severity.WARN, 8, 9, "😊", False),
        ("amazon_format", Severity.WARN, 10, 20, "Reply STOP", False),
        ("amazon_format", Severity.WARN, 24, 31, "opt out", False),
        ("amazon_format", Severity.WARN, 0, 11, "[Important]", True),
    ]


def test_subject_findings_carry_their_span_in_the_subject() -> None:
    verdict = check("Hello", Context("walmart", subject="Get 15% off today"))
    (f,) = verdict.findings
    assert (f.rule, f.start, f.end, f.excerpt, f.in_subject) == (
        "promotion",
        4,
        11,
        "15% off",
        True,
    )


def test_as_dict_is_json_ready() -> None:
    data = check("see evil.io", Context("walmart")).as_dict()
    assert data["verdict"] == "block"
    assert data["findings"][0] == {
        "rule": "link",
        "severity": "block",
        "start": 4,
        "end": 11,
        "excerpt": "evil.io",
        "explanation": data["findings"][0]["explanation"],
        "suggestion": data["findings"][0]["suggestion"],
        "in_subject": False,
    }


def test_every_rule_is_described() -> None:
    assert set(RULES) == {
        "link", "promotion", "review_incentive", "review_request", "off_platform", "buyer_data",
        "other_marketplace", "extra_payment", "abusive", "misleading", "amazon_format",
    }  # fmt: skip
    assert {r for r, info in RULES.items() if info.severity is Severity.WARN} == {
        "review_request",
        "amazon_format",
    }


def test_a_social_handle_span_includes_hyphens() -> None:
    from sellerdesk.compliance.rules import Context, check

    text = "Follow @Some-Brand for updates"
    spans = [
        f.excerpt for f in check(text, Context("walmart")).findings if f.rule == "off_platform"
    ]
    assert "@Some-Brand" in spans


def test_a_delivered_claim_blocks_only_when_the_order_has_not_shipped() -> None:
    from sellerdesk.compliance.rules import Context, OrderFacts, check

    text = "The carrier shows it was delivered to your mailroom."
    shipped = Context("amazon", order=OrderFacts(carriers=("UPS",), shipped=True))
    unshipped = Context("amazon", order=OrderFacts(carriers=("UPS",), shipped=False))
    assert check(text, shipped).verdict == "ok"
    assert check(text, unshipped).verdict == "block"


def test_the_orders_own_number_is_not_taken_for_a_tracking_number_before_shipping() -> None:
    # Walmart customer order numbers are 15 digits, the shape of a FedEx tracking number.
    order = OrderFacts(shipped=False, order_numbers=("1817264512345", "200012345678901"))
    text = "Your order 200012345678901 is cancelled as you asked."
    assert check(text, Context("walmart", order=order)).verdict == "ok"
    stranger = "Your tracking number is 200098765432109."
    assert [f.rule for f in check(stranger, Context("walmart", order=order)).findings] == [
        "misleading"
    ]


def test_walmarts_dhl_ecommerce_carrier_makes_its_dhl_link_legitimate() -> None:
    order = OrderFacts(carriers=("DHL Ecommerce - US",), shipped=True)
    text = "Track it here: https://www.dhl.com/us-en/home/tracking.html?tracking-id=GM123"
    assert check(text, Context("walmart", order=order)).verdict == "ok"
