"""Every .eml in tests/fixtures/mail/ parses, with exact expectations per fixture."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sellerdesk.mail.parse import ParsedMessage, parse_message
from tests.mail.pure.corpus import fixture_bytes, fixture_names

WM = "8f14e45fceea167a5a36dedd4bea2543@relay.walmart.com"

# name: (subject, from_address, message_id, new_text start, [(attachment name, type)], broken)
# `broken` says whether the fixture must report defects (True) or none at all (False).
EXPECTED: dict[str, tuple[str, str, str | None, str, list[tuple[str, str]], bool]] = {
    "walmart_relay_where_is_my_order.eml": (
        "Customer inquiry for order #1234567890123",
        WM,
        "wm.0001.a1b2@relay.walmart.com",
        "Hello,\n\nI ordered a camping tent on Feb 20",
        [],
        False,
    ),
    "walmart_relay_cancel_request.eml": (
        "Message from customer regarding PO# 4567890123456",
        "c9f0f895fb98ab9159f51fd0297e236d@relay.walmart.com",
        "wm.0002.c3d4@relay.walmart.com",
        "Hi, I ordered the wrong quantity by mistake.",
        [],
        False,
    ),
    "walmart_relay_address_change.eml": (
        "Customer inquiry for order #5678901234567",
        WM,
        "wm.0003.e5f6@relay.walmart.com",
        "Hi there,\n\nI need to change the shipping address",
        [],
        False,
    ),
    "walmart_relay_damaged_item.eml": (
        "Customer inquiry for order #2345678901234",
        WM,
        "wm.0004.g7h8@relay.walmart.com",
        "The lantern arrived broken",
        [("IMG_2041.JPG", "image/jpeg")],
        False,
    ),
    "walmart_relay_wrong_item.eml": (
        "Customer inquiry for order #3456789012345",
        WM,
        "wm.0005.i9j0@relay.walmart.com",
        "You sent me the wrong item.",
        [],
        False,
    ),
    "walmart_relay_missing_parts.eml": (
        "Customer inquiry for order #4567890123457",
        WM,
        "wm.0006.k1l2@relay.walmart.com",
        "The grill came without the legs.",
        [],
        False,
    ),
    "walmart_relay_refund_status.eml": (
        "Customer inquiry for order #6789012345678",
        WM,
        "wm.0007.m3n4@relay.walmart.com",
        "I returned the chair two weeks ago and I still haven\u2019t received my refund.",
        [],
        False,
    ),
    "walmart_escalation_notice.eml": (
        "Action required: Customer Care escalation for PO# 1234567890123",
        "customercare-escalations@partnerhelp.walmart.com",
        "esc.778812@partnerhelp.walmart.com",
        "Dear Seller,",
        [],
        False,
    ),
    "walmart_case_notice.eml": (
        "Case 07712345 has been updated",
        "noreply@walmart.com",
        "case.07712345.upd@walmart.com",
        "Hello,\n\nYour case 07712345",
        [],
        False,
    ),
    "walmart_system_notice.eml": (
        "Your item report is ready",
        "no-reply@walmart.com",
        "report.55120@walmart.com",
        "Your requested item report is ready",
        [],
        False,
    ),
    "amazon_relay_where_is_my_order.eml": (
        "Shipping inquiry from Amazon customer Jane Doe (Order: 111-7366207-0755439)",
        "7pk9s3dt2qjxw1v@marketplace.amazon.com",
        "0100018e.amz1@email.amazonses.com",
        "Hi, my package was supposed to arrive Monday",
        [],
        False,
    ),
    "amazon_relay_return_request.eml": (
        "Return request inquiry from Amazon customer Mark Lee (Order: 112-1234567-7654321)",
        "q8r2m4n6p1@marketplace.amazon.com",
        "0100018e.amz2@email.amazonses.com",
        "Hello, the jacket is too small. How do I return it for a larger size?",
        [],
        False,
    ),
    "amazon_relay_not_as_described.eml": (
        "Product quality inquiry from Amazon customer Ann (Order: 113-2345678-8765432)",
        "z1x2c3v4b5@marketplace.amazon.com",
        "0100018e.amz3@email.amazonses.com",
        "The backpack is not as described.",
        [],
        False,
    ),
    "amazon_relay_pre_sale_question.eml": (
        "Product details inquiry from Amazon customer Bob",
        "m9n8b7v6c5@marketplace.amazon.com",
        "0100018e.amz4@email.amazonses.com",
        "Is this stove compatible with standard 16oz propane canisters?",
        [],
        False,
    ),
    "amazon_relay_damaged_item.eml": (
        "Order inquiry from Amazon customer Priya (Order: 204-3456789-9876543)",
        "p0o9i8u7y6@marketplace.amazon.co.uk",
        "0100018e.amz5@email.amazonses.co.uk",
        "The thermos arrived dented and leaking.",
        [],
        False,
    ),
    "amazon_relay_refund_status.eml": (
        "Refund inquiry from Amazon customer Tom (Order: 114-4567890-1234567)",
        "t5r4e3w2q1@marketplace.amazon.com",
        "0100018e.amz6@email.amazonses.com",
        "I sent the boots back on March 1st. Where is my refund?",
        [],
        False,
    ),
    "amazon_relay_cancel_request.eml": (
        "Order cancellation inquiry from Amazon customer Sue (Order: 115-5678901-2345678)",
        "s1u2e3s4u5@marketplace.amazon.com",
        "0100018e.amz7@email.amazonses.com",
        "Please cancle this order",
        [],
        False,
    ),
    "amazon_atoz_claim.eml": (
        "A-to-z Guarantee claim filed for order 111-2223334-4445556",
        "atoz-guarantee-no-reply@amazon.com",
        "atoz.998877@amazon.com",
        "Dear Seller,",
        [],
        False,
    ),
    "amazon_return_request_notice.eml": (
        "Return authorization request for order 113-9988776-6655443",
        "return@amazon.com",
        "return.5544@amazon.com",
        "Dear Seller,",
        [],
        False,
    ),
    "amazon_refund_notice.eml": (
        "Refund initiated for order 112-5566778-8990011",
        "payments-messages@amazon.com",
        "refund.7788@amazon.com",
        "A refund has been issued",
        [],
        False,
    ),
    "complaint_bbb.eml": (
        "BBB Complaint #21987654 - ACME Outdoor",
        "complaints@bbb.org",
        "c21987654@bbb.org",
        "The Better Business Bureau has received",
        [],
        False,
    ),
    "complaint_attorney_general.eml": (
        "Notice of consumer complaint CPD-2025-004411",
        "consumerprotection@oag.texas.gov",
        "CPD-2025-004411@oag.texas.gov",
        "Office of the Attorney General",
        [],
        False,
    ),
    "outlook_reply_with_winmail.eml": (
        "RE: Your order 9012345678901",
        "linda.park@outlook.com",
        "BY5PR11MB4001A1B2C3D4E5F6@BY5PR11MB4001.namprd11.prod.outlook.com",
        "Hi,\n\nThe box only had one of the two chairs. The second chair is missing.\n\nLinda",
        [("winmail.dat", "application/ms-tnef")],
        False,
    ),
    "gmail_reply_gmail_quote.eml": (
        "Re: Order 1357913579135 shipped",
        "mike.torres84@gmail.com",
        "CAKx9nM=Qm2Wv8f+Lp1x@mail.gmail.com",
        "Thanks, but the tracking number you gave me doesn't work. Has it actually shipped?",
        [],
        False,
    ),
    "apple_mail_reply_blockquote.eml": (
        "Re: Return label",
        "sara.kim@icloud.com",
        "6C2F1E0A-77B4-4F6B-9A1E-2D3C4B5A6978@icloud.com",
        "Got it, I\u2019ll send it back tomorrow. Can you confirm the return label is prepaid?",
        [],
        False,
    ),
    "forward_message_rfc822.eml": (
        "Fwd: Damaged shipment claim",
        "ops@acme-outdoor.example",
        "fwd.3001@acme-outdoor.example",
        "Please handle this one, customer says the box was crushed.",
        [("Box crushed.eml", "message/rfc822")],
        False,
    ),
    "charset_iso_8859_1.eml": (
        "Commande ab\u00eem\u00e9e",
        "buyer@example.org",
        "charset_iso_8859_1.eml.1@example.org",
        "Bonjour, la tente est arriv\u00e9e ab\u00eem\u00e9e. Merci - M\u00fcller",
        [],
        False,
    ),
    "charset_windows_1252.eml": (
        "Order question",
        "buyer@example.org",
        "charset_windows_1252.eml.1@example.org",
        "I was charged \u20ac30 and the \u201cdeluxe\u201d cover isn\u2019t included.",
        [],
        False,
    ),
    "charset_iso_2022_jp.eml": (
        "\u6ce8\u6587",
        "buyer@example.org",
        "charset_iso_2022_jp.eml.1@example.org",
        "\u6ce8\u6587\u3057\u305f\u5546\u54c1\u304c\u307e\u3060\u5c4a\u304d\u307e\u305b\u3093\u3002",
        [],
        False,
    ),
    "charset_koi8_r.eml": (
        "\u0413\u0434\u0435 \u043c\u043e\u0439 \u0437\u0430\u043a\u0430\u0437?",
        "buyer@example.org",
        "charset_koi8_r.eml.1@example.org",
        "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435, \u0433\u0434\u0435 \u043c\u043e\u0439 \u0437\u0430\u043a\u0430\u0437?",
        [],
        False,
    ),
    "charset_gb2312_base64.eml": (
        "\u9000\u8d27\u7533\u8bf7",
        "wang.wei@example.cn",
        "gb.1@example.cn",
        "\u6211\u60f3\u9000\u8d27\uff0c\u5546\u54c1\u6709\u95ee\u9898\u3002",
        [],
        False,
    ),
    "mislabelled_ascii_is_utf8.eml": (
        "Question about my order",
        "buyer@example.org",
        "mislabelled_ascii_is_utf8.eml.1@example.org",
        "The caf\u00e9 table\u2019s leg is wobbly \u2014 can you help?",
        [],
        True,
    ),
    "mislabelled_utf8_is_cp1252.eml": (
        "Question",
        "buyer@example.org",
        "mislabelled_utf8_is_cp1252.eml.1@example.org",
        "It\u2019s the wrong colour, I wanted na\u00efve beige.",
        [],
        True,
    ),
    "unknown_charset.eml": (
        "Hello",
        "buyer@example.org",
        "unknown_charset.eml.1@example.org",
        "Plain words with an accent: caf\u00e9.",
        [],
        True,
    ),
    "malformed_missing_boundary.eml": (
        "Missing boundary",
        "buyer@example.org",
        "nobnd.1@example.org",
        "Where is my order? It has been two weeks.",
        [],
        True,
    ),
    "malformed_unterminated_multipart.eml": (
        "Unterminated multipart",
        "buyer@example.org",
        "unterm.1@example.org",
        "Please cancel my order.",
        [("receipt.pdf", "application/pdf")],
        True,
    ),
    "malformed_bad_base64.eml": (
        "Bad base64",
        "buyer@example.org",
        "badb64.1@example.org",
        "Is this compatible with my stove?",
        [("photo.png", "image/png")],
        True,
    ),
    "malformed_header_without_colon.eml": (
        "Header without colon",
        "buyer@example.org",
        "nocolon.1@example.org",
        "My order 1122334455667 has not arrived.",
        [],
        True,
    ),
    "malformed_nul_bytes.eml": (
        "NUL in subject",
        "buyer@example.org",
        "nul.1@example.org",
        "Hello there, where is my package?",
        [],
        True,
    ),
    "malformed_8bit_headers.eml": (
        "Pedido da\u00f1ado \u2013 return",
        "jose@example.es",
        "8bit.1@example.es",
        "The item arrived damaged.",
        [],
        True,
    ),
    "malformed_deep_nesting.eml": (
        "Deep nesting",
        "buyer@example.org",
        "deep.1@example.org",
        "",
        [],
        True,
    ),
    "malformed_duplicate_headers.eml": (
        "First subject",
        "buyer@example.org",
        "dup.1@example.org",
        "Can I change the address on my order?",
        [],
        True,
    ),
    "malformed_no_blank_line.eml": (
        "No separator",
        "buyer@example.org",
        "nosep.1@example.org",
        "I never got my order.\nPlease help.",
        [],
        True,
    ),
    "malformed_garbage_message_id_and_date.eml": ("Garbage ids", "", None, "Hello", [], True),
    "attachments_pdf_and_inline_image.eml": (
        "Invoice and photo",
        "buyer@example.org",
        "att.1@example.org",
        "See the photo of the damaged box and my receipt.",
        [
            ("box.jpg", "image/jpeg"),
            ("receipt.pdf", "application/pdf"),
            ("attachment-3.bin", "application/octet-stream"),
        ],
        False,
    ),
    "html_hostile.eml": (
        "Hostile HTML",
        "buyer@example.org",
        "hostile.1@example.org",
        "Please refund order 1234567890123.",
        [],
        False,
    ),
    "bounce_dsn_postfix.eml": (
        "Undelivered Mail Returned to Sender",
        "mailer-daemon@mx1.sellerdesk-demo.example",
        "20250310120003.4Xa@mx1.sellerdesk-demo.example",
        "This is the mail system at host",
        [("attachment-1.txt", "text/rfc822-headers")],
        False,
    ),
    "bounce_exchange_ndr.eml": (
        "Undeliverable: RE: Your order 9012345678901",
        "postmaster@outlook.com",
        "ndr.5a6b7c@BY5PR11MB4001.namprd11.prod.outlook.com",
        "Delivery has failed to these recipients or groups:",
        [("RE_ Your order 9012345678901.eml", "message/rfc822")],
        False,
    ),
    "bounce_qmail_failure_notice.eml": (
        "failure notice",
        "mailer-daemon@mail.example.net",
        "bounce.777@mail.example.net",
        "Hi. This is the qmail-send program",
        [],
        False,
    ),
    "auto_reply_out_of_office.eml": (
        "Automatic reply: Your order 9012345678901",
        "linda.park@outlook.com",
        "ooo.1@outlook.com",
        "I am out of the office until March 17",
        [],
        False,
    ),
    "auto_reply_x_autoreply_only.eml": (
        "Re: Box crushed",
        "greg.h@example.net",
        "ar.2@example.net",
        "Thanks for your email.",
        [],
        False,
    ),
    "auto_reply_vacation_subject_only.eml": (
        "Automatic reply: Return label",
        "sara.kim@icloud.com",
        "vac.3@icloud.com",
        "I'm on vacation",
        [],
        False,
    ),
    "spam_marketing.eml": (
        "Boost your sales 300% - limited time offer",
        "deals@rank-booster.example",
        "promo.9@rank-booster.example",
        "50% off SEO services",
        [],
        False,
    ),
    "unknown_format_plain.eml": (
        "hello",
        "someone@example.net",
        "plain.1@example.net",
        "Hi, are you there?",
        [],
        False,
    ),
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == fixture_names()


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_parses_to_its_expected_fields(name: str) -> None:
    subject, sender, message_id, new_start, attachments, broken = EXPECTED[name]
    parsed = parse_message(fixture_bytes(name))
    assert parsed.subject == subject
    assert parsed.from_address == sender
    assert parsed.message_id == message_id
    assert parsed.new_text.startswith(new_start), parsed.new_text[:200]
    assert [(a.filename, a.content_type) for a in parsed.attachments] == attachments
    assert bool(parsed.defects) is broken, parsed.defects
    assert parsed.truncated is False
    if parsed.html is not None:
        assert "<script" not in parsed.html.lower()


def _parse(name: str) -> ParsedMessage:
    return parse_message(fixture_bytes(name))


def test_received_at_comes_from_the_top_received_header_not_the_date() -> None:
    parsed = _parse("walmart_relay_where_is_my_order.eml")
    assert parsed.received_at == datetime(2025, 3, 3, 14, 5, 9, tzinfo=UTC)
    assert parsed.date == datetime(2025, 3, 3, 14, 5, 7, tzinfo=UTC)


def test_sender_name_recipients_and_thread_headers_are_read() -> None:
    parsed = _parse("outlook_reply_with_winmail.eml")
    assert parsed.from_name == "Linda Park"
    assert parsed.to == ("support@acme-outdoor.example",)
    assert parsed.in_reply_to == ("sd.88.f00d@sellerdesk",)
    assert parsed.references == ("sd.87.beef@sellerdesk", "sd.88.f00d@sellerdesk")
    assert parsed.headers["x-ms-has-attach"] == "yes"


def test_outlook_quote_block_is_history_but_stays_in_the_full_text() -> None:
    parsed = _parse("outlook_reply_with_winmail.eml")
    assert "your order has shipped" not in parsed.new_text
    assert "Hello Linda, your order has shipped." in parsed.text


def test_tnef_winmail_is_kept_as_an_attachment_with_its_bytes() -> None:
    (winmail,) = _parse("outlook_reply_with_winmail.eml").attachments
    assert winmail.data.startswith(b"\x78\x9f\x3e\x22")
    assert winmail.inline is False


def test_gmail_html_only_quote_container_is_dropped_from_new_text_but_kept_sanitized() -> None:
    parsed = _parse("gmail_reply_gmail_quote.eml")
    assert "shipped today with UPS" not in parsed.new_text
    assert parsed.html is not None
    assert '<div class="gmail_quote">' in parsed.html
    assert "style=" not in parsed.html


def test_apple_mail_html_only_reply_drops_the_cited_blockquote_and_signature() -> None:
    parsed = _parse("apple_mail_reply_blockquote.eml")
    assert parsed.new_text == (
        "Got it, I\u2019ll send it back tomorrow. Can you confirm the return label is prepaid?"
    )
    assert "Here is your return label." in parsed.text
    assert parsed.html is not None and '<blockquote type="cite">' in parsed.html


def test_inline_cid_image_is_marked_inline_and_path_parts_are_stripped() -> None:
    parsed = _parse("attachments_pdf_and_inline_image.eml")
    image, pdf, blob = parsed.attachments
    assert (image.content_id, image.inline) == ("photo1@example.org", True)
    assert image.data.startswith(b"\xff\xd8") and image.data.endswith(b"\xff\xd9")
    assert pdf.data.startswith(b"%PDF-1.4") and pdf.inline is False
    assert blob.data == b"\x00\x01\x02\x03"
    assert parsed.html is not None and 'src="cid:photo1@example.org"' in parsed.html


def test_forwarded_message_is_an_eml_attachment_that_parses_again() -> None:
    (forwarded,) = _parse("forward_message_rfc822.eml").attachments
    inner = parse_message(forwarded.data)
    assert inner.message_id == "inner.42@example.net"
    assert inner.text.startswith("The box was crushed")


def test_dsn_delivery_status_and_returned_message_id() -> None:
    parsed = _parse("bounce_dsn_postfix.eml")
    assert parsed.delivery_status["action"] == "failed"
    assert parsed.delivery_status["status"] == "5.1.1"
    assert parsed.delivery_status["final-recipient"] == WM
    assert parsed.delivery_status["original-message-id"] == "sd.123.abc@sellerdesk"
    assert _parse("bounce_exchange_ndr.eml").delivery_status["original-message-id"] == (
        "sd.456.def@sellerdesk"
    )
    assert dict(_parse("walmart_relay_where_is_my_order.eml").delivery_status) == {}


def test_defects_name_what_was_wrong() -> None:
    assert _parse("unknown_charset.eml").defects == (
        "MIME part 1 (text/plain): unknown charset 'x-foobar-9'; guessed",
    )
    assert (
        "header line without a colon dropped: 'This line is not a header'"
        in _parse("malformed_header_without_colon.eml").defects
    )
    assert (
        "MIME nesting deeper than 50 levels; skipped"
        in _parse("malformed_deep_nesting.eml").defects
    )
    assert (
        "duplicated subject header; the first one is used"
        in _parse("malformed_duplicate_headers.eml").defects
    )
    assert "NUL bytes removed" in _parse("malformed_nul_bytes.eml").defects


def test_8bit_headers_decode_as_utf8_or_best_guess() -> None:
    parsed = _parse("malformed_8bit_headers.eml")
    assert parsed.from_name == "Jos\u00e9 Garc\u00eda"
    assert parsed.cc == ("mueller@example.de",)


def test_garbage_in_reply_to_still_yields_the_ids_it_holds() -> None:
    parsed = _parse("malformed_garbage_message_id_and_date.eml")
    assert parsed.in_reply_to == ("sd.9.x@sellerdesk", "sd.10.y@sellerdesk")
    assert parsed.date is None
