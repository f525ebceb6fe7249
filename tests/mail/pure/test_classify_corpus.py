"""Classification of every fixture in one table, and the rules behind it."""

from __future__ import annotations

import pytest

from sellerdesk.mail.classify import (
    Intent,
    Kind,
    classify,
    detect_intent,
    find_order_numbers,
    is_auto_reply,
)
from sellerdesk.mail.parse import parse_message
from tests.mail.pure.corpus import fixture_bytes, fixture_names

K, N = Kind, Intent
WM = "8f14e45fceea167a5a36dedd4bea2543@relay.walmart.com"

# name: (kind, intent, order_numbers, needs_reply, one_hour_deadline, bounced_message_id)
EXPECTED: dict[str, tuple[Kind, Intent, tuple[str, ...], bool, bool, str | None]] = {
    "walmart_relay_where_is_my_order.eml": (
        K.BUYER_WALMART,
        N.WHERE_IS_MY_ORDER,
        ("1234567890123",),
        True,
        False,
        None,
    ),
    "walmart_relay_cancel_request.eml": (
        K.BUYER_WALMART,
        N.CANCEL_REQUEST,
        ("4567890123456", "200012345678901"),
        True,
        False,
        None,
    ),
    "walmart_relay_address_change.eml": (
        K.BUYER_WALMART,
        N.ADDRESS_CHANGE,
        ("5678901234567",),
        True,
        False,
        None,
    ),
    "walmart_relay_damaged_item.eml": (
        K.BUYER_WALMART,
        N.DAMAGED_ITEM,
        ("2345678901234",),
        True,
        False,
        None,
    ),
    "walmart_relay_wrong_item.eml": (
        K.BUYER_WALMART,
        N.WRONG_ITEM,
        ("3456789012345",),
        True,
        False,
        None,
    ),
    "walmart_relay_missing_parts.eml": (
        K.BUYER_WALMART,
        N.MISSING_PARTS,
        ("4567890123457",),
        True,
        False,
        None,
    ),
    "walmart_relay_refund_status.eml": (
        K.BUYER_WALMART,
        N.REFUND_STATUS,
        ("6789012345678",),
        True,
        False,
        None,
    ),
    "walmart_escalation_notice.eml": (
        K.WALMART_ESCALATION,
        N.WHERE_IS_MY_ORDER,
        ("1234567890123",),
        True,
        False,
        None,
    ),
    "walmart_case_notice.eml": (K.WALMART_CASE, N.OTHER, ("7890123456789",), True, False, None),
    "walmart_system_notice.eml": (K.MARKETPLACE_SYSTEM, N.OTHER, (), False, False, None),
    "amazon_relay_where_is_my_order.eml": (
        K.BUYER_AMAZON,
        N.WHERE_IS_MY_ORDER,
        ("111-7366207-0755439",),
        True,
        False,
        None,
    ),
    "amazon_relay_return_request.eml": (
        K.BUYER_AMAZON,
        N.RETURN_REQUEST,
        ("112-1234567-7654321",),
        True,
        False,
        None,
    ),
    "amazon_relay_not_as_described.eml": (
        K.BUYER_AMAZON,
        N.NOT_AS_DESCRIBED,
        ("113-2345678-8765432",),
        True,
        False,
        None,
    ),
    "amazon_relay_pre_sale_question.eml": (
        K.BUYER_AMAZON,
        N.PRE_SALE_QUESTION,
        (),
        True,
        False,
        None,
    ),
    "amazon_relay_damaged_item.eml": (
        K.BUYER_AMAZON,
        N.DAMAGED_ITEM,
        ("204-3456789-9876543",),
        True,
        False,
        None,
    ),
    "amazon_relay_refund_status.eml": (
        K.BUYER_AMAZON,
        N.REFUND_STATUS,
        ("114-4567890-1234567",),
        True,
        False,
        None,
    ),
    "amazon_relay_cancel_request.eml": (
        K.BUYER_AMAZON,
        N.CANCEL_REQUEST,
        ("115-5678901-2345678",),
        True,
        False,
        None,
    ),
    "amazon_atoz_claim.eml": (K.AMAZON_ATOZ, N.OTHER, ("111-2223334-4445556",), True, False, None),
    "amazon_return_request_notice.eml": (
        K.AMAZON_RETURN,
        N.RETURN_REQUEST,
        ("113-9988776-6655443",),
        False,
        False,
        None,
    ),
    "amazon_refund_notice.eml": (
        K.AMAZON_REFUND,
        N.REFUND_STATUS,
        ("112-5566778-8990011",),
        False,
        False,
        None,
    ),
    "complaint_bbb.eml": (
        K.COMPLAINT_BBB_AG,
        N.WHERE_IS_MY_ORDER,
        ("8901234567890",),
        True,
        True,
        None,
    ),
    "complaint_attorney_general.eml": (
        K.COMPLAINT_BBB_AG,
        N.DAMAGED_ITEM,
        ("116-1112223-3334445",),
        True,
        True,
        None,
    ),
    "outlook_reply_with_winmail.eml": (
        K.BUYER_DIRECT,
        N.MISSING_PARTS,
        ("9012345678901",),
        True,
        False,
        None,
    ),
    "gmail_reply_gmail_quote.eml": (
        K.BUYER_DIRECT,
        N.WHERE_IS_MY_ORDER,
        ("1357913579135",),
        True,
        False,
        None,
    ),
    "apple_mail_reply_blockquote.eml": (K.BUYER_DIRECT, N.RETURN_REQUEST, (), True, False, None),
    "forward_message_rfc822.eml": (K.BUYER_DIRECT, N.DAMAGED_ITEM, (), True, False, None),
    "charset_iso_8859_1.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "charset_windows_1252.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "charset_iso_2022_jp.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "charset_koi8_r.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "charset_gb2312_base64.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "mislabelled_ascii_is_utf8.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "mislabelled_utf8_is_cp1252.eml": (K.BUYER_DIRECT, N.WRONG_ITEM, (), True, False, None),
    "unknown_charset.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "malformed_missing_boundary.eml": (K.BUYER_DIRECT, N.WHERE_IS_MY_ORDER, (), True, False, None),
    "malformed_unterminated_multipart.eml": (
        K.BUYER_DIRECT,
        N.CANCEL_REQUEST,
        (),
        True,
        False,
        None,
    ),
    "malformed_bad_base64.eml": (K.BUYER_DIRECT, N.PRE_SALE_QUESTION, (), True, False, None),
    "malformed_header_without_colon.eml": (
        K.BUYER_DIRECT,
        N.WHERE_IS_MY_ORDER,
        ("1122334455667",),
        True,
        False,
        None,
    ),
    "malformed_nul_bytes.eml": (K.BUYER_DIRECT, N.WHERE_IS_MY_ORDER, (), True, False, None),
    "malformed_8bit_headers.eml": (K.BUYER_DIRECT, N.DAMAGED_ITEM, (), True, False, None),
    "malformed_deep_nesting.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "malformed_duplicate_headers.eml": (K.BUYER_DIRECT, N.ADDRESS_CHANGE, (), True, False, None),
    "malformed_no_blank_line.eml": (K.BUYER_DIRECT, N.WHERE_IS_MY_ORDER, (), True, False, None),
    "malformed_garbage_message_id_and_date.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
    "attachments_pdf_and_inline_image.eml": (K.BUYER_DIRECT, N.DAMAGED_ITEM, (), True, False, None),
    "html_hostile.eml": (K.BUYER_DIRECT, N.RETURN_REQUEST, ("1234567890123",), True, False, None),
    "bounce_dsn_postfix.eml": (K.BOUNCE, N.OTHER, (), False, False, "sd.123.abc@sellerdesk"),
    "bounce_exchange_ndr.eml": (
        K.BOUNCE,
        N.OTHER,
        ("9012345678901",),
        False,
        False,
        "sd.456.def@sellerdesk",
    ),
    "bounce_qmail_failure_notice.eml": (
        K.BOUNCE,
        N.OTHER,
        (),
        False,
        False,
        "sd.789.aaa@sellerdesk",
    ),
    "auto_reply_out_of_office.eml": (K.AUTO_REPLY, N.OTHER, ("9012345678901",), False, False, None),
    "auto_reply_x_autoreply_only.eml": (K.AUTO_REPLY, N.OTHER, (), False, False, None),
    "auto_reply_vacation_subject_only.eml": (K.AUTO_REPLY, N.OTHER, (), False, False, None),
    "spam_marketing.eml": (K.SPAM, N.OTHER, (), False, False, None),
    "unknown_format_plain.eml": (K.BUYER_DIRECT, N.OTHER, (), True, False, None),
}


def test_every_fixture_has_a_classification() -> None:
    assert sorted(EXPECTED) == fixture_names()


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_classification(name: str) -> None:
    kind, intent, orders, needs_reply, one_hour, bounced = EXPECTED[name]
    result = classify(parse_message(fixture_bytes(name)))
    got = (
        result.kind,
        result.intent,
        result.order_numbers,
        result.needs_reply,
        result.one_hour_deadline,
        result.bounced_message_id,
    )
    assert got == (kind, intent, orders, needs_reply, one_hour, bounced), result.reasons
    assert result.reasons


def test_relay_address_and_marketplace_for_relayed_buyers() -> None:
    walmart = classify(parse_message(fixture_bytes("walmart_relay_where_is_my_order.eml")))
    assert (walmart.relay_address, walmart.marketplace) == (WM, "walmart")
    amazon = classify(parse_message(fixture_bytes("amazon_relay_damaged_item.eml")))
    assert (amazon.relay_address, amazon.marketplace) == (
        "p0o9i8u7y6@marketplace.amazon.co.uk",
        "amazon",
    )
    direct = classify(parse_message(fixture_bytes("gmail_reply_gmail_quote.eml")))
    assert (direct.relay_address, direct.marketplace) == (None, None)
    notice = classify(parse_message(fixture_bytes("walmart_escalation_notice.eml")))
    assert (notice.relay_address, notice.marketplace) == (None, "walmart")


def test_complaints_name_the_marketplace_they_are_about() -> None:
    assert classify(parse_message(fixture_bytes("complaint_bbb.eml"))).marketplace == "walmart"
    ag = classify(parse_message(fixture_bytes("complaint_attorney_general.eml")))
    assert ag.marketplace == "amazon"


def test_auto_generated_walmart_notice_is_not_an_auto_reply_kind() -> None:
    parsed = parse_message(fixture_bytes("walmart_escalation_notice.eml"))
    assert is_auto_reply(parsed) is True  # Auto-Submitted: auto-generated
    assert classify(parsed).kind is Kind.WALMART_ESCALATION


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("auto_reply_out_of_office.eml", True),
        ("auto_reply_x_autoreply_only.eml", True),
        ("auto_reply_vacation_subject_only.eml", True),
        ("spam_marketing.eml", True),  # Precedence: bulk
        ("walmart_relay_where_is_my_order.eml", False),
        ("gmail_reply_gmail_quote.eml", False),
    ],
)
def test_is_auto_reply(name: str, expected: bool) -> None:
    assert is_auto_reply(parse_message(fixture_bytes(name))) is expected


def test_auto_submitted_no_is_not_an_auto_reply() -> None:
    raw = b"From: a@example.org\nSubject: hi\nAuto-Submitted: no\n\nhello\n"
    assert is_auto_reply(parse_message(raw)) is False


# At least three labelled samples per intent (the fixtures add more).
INTENT_SAMPLES: list[tuple[str, str, Intent]] = [
    ("", "Where is my order? It was due Monday.", N.WHERE_IS_MY_ORDER),
    (
        "Shipping inquiry from Amazon customer Al (Order: 111-1111111-1111111)",
        "Hi, any update?",
        N.WHERE_IS_MY_ORDER,
    ),
    ("", "My package hasnt arrived yet and the tracking shows nothing.", N.WHERE_IS_MY_ORDER),
    ("", "It says delivered but I never recieved it", N.WHERE_IS_MY_ORDER),
    ("", "Please cancel my order.", N.CANCEL_REQUEST),
    ("", "I want to cancle, I ordered by mistake", N.CANCEL_REQUEST),
    ("Cancellation", "I no longer need it, please stop the order", N.CANCEL_REQUEST),
    ("", "Can I change the shipping address to my work?", N.ADDRESS_CHANGE),
    ("", "I put the wrong adress on the order", N.ADDRESS_CHANGE),
    ("", "Please update my delivery address to 5 Elm St.", N.ADDRESS_CHANGE),
    ("", "How do I return this? It doesn't fit.", N.RETURN_REQUEST),
    ("", "I'd like to send it back and get an exchange", N.RETURN_REQUEST),
    ("", "Can you email me a return label please", N.RETURN_REQUEST),
    ("", "The mug arrived cracked.", N.DAMAGED_ITEM),
    ("", "Item was damged in shipping", N.DAMAGED_ITEM),
    ("", "It's defective, it won't turn on", N.DAMAGED_ITEM),
    ("", "You sent the wrong size.", N.WRONG_ITEM),
    ("", "This is not what I ordered", N.WRONG_ITEM),
    ("", "I received the wrong color", N.WRONG_ITEM),
    ("", "The product is not as described.", N.NOT_AS_DESCRIBED),
    ("", "It doesn't match the description at all, looks fake", N.NOT_AS_DESCRIBED),
    ("", "Looks nothing like the picture", N.NOT_AS_DESCRIBED),
    ("", "The screws are missing from the kit", N.MISSING_PARTS),
    ("", "Missing parts: no hardware in the box", N.MISSING_PARTS),
    ("", "I only received one of the two lamps", N.MISSING_PARTS),
    ("", "I returned it last week, where is my refund?", N.REFUND_STATUS),
    ("", "I haven't received my refund yet", N.REFUND_STATUS),
    ("", "When will I get my money back? Still waiting for the refund", N.REFUND_STATUS),
    ("Product details inquiry from Amazon customer Bo", "Hello", N.PRE_SALE_QUESTION),
    ("", "Is this compatible with a 2019 Honda Civic?", N.PRE_SALE_QUESTION),
    ("", "Do you have this in stock in black?", N.PRE_SALE_QUESTION),
    ("", "Thanks for the quick help!", N.OTHER),
    ("", "Hello", N.OTHER),
    ("Question", "Can you call me?", N.OTHER),
]


@pytest.mark.parametrize(("subject", "text", "intent"), INTENT_SAMPLES)
def test_detect_intent(subject: str, text: str, intent: Intent) -> None:
    assert detect_intent(subject, text) is intent


def test_buyer_name_in_amazon_subject_does_not_trigger_an_intent() -> None:
    subject = "Product details inquiry from Amazon customer Cancel Return"
    assert detect_intent(subject, "Is this waterproof? Does it fit a queen bed?") is (
        Intent.PRE_SALE_QUESTION
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Order: 111-7366207-0755439", ("111-7366207-0755439",)),
        ("PO 1234567890123 and CO 200012345678901", ("1234567890123", "200012345678901")),
        ("dup 1234567890123 1234567890123", ("1234567890123",)),
        ("phone 5551234567, zip 12345", ()),
        ("16-digit 1234567890123456 is too long", ()),
        ("tracking number: 123456789012345", ()),
        ("see https://example.com/o?ts=1709251200000", ()),
        ("hex 8f14e45fceea167a5a36dedd4bea2543@relay.walmart.com", ()),
        ("1234567890123.45 is money", ()),
        ("order #4567890123456, thanks", ("4567890123456",)),
    ],
)
def test_find_order_numbers(text: str, expected: tuple[str, ...]) -> None:
    assert find_order_numbers(text) == expected


def test_unknown_format_is_a_direct_buyer_message_that_needs_a_reply() -> None:
    result = classify(parse_message(b"Subject: ?\n\n\n"))
    assert (result.kind, result.intent, result.needs_reply) == (
        Kind.BUYER_DIRECT,
        Intent.OTHER,
        True,
    )
