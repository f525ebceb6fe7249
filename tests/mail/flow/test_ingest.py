"""ingest(): each fixture family becomes the right ticket with the right message; messages
thread into the right ticket; tickets link to the order the mail names, or the buyer's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.mail.classify import Intent, Kind
from sellerdesk.mail.ingest import IngestResult, ingest
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Attachment, Message, Outbox, Ticket, TicketEvent
from tests.mail.flow.conftest import NOW, WALMART_RELAY, buyer_mail, fixture, make_order

pytestmark = pytest.mark.django_db


def only_message(ticket: Ticket) -> Message:
    (message,) = ticket.messages.all()
    return message


def rows() -> tuple[int, int, int, int, int]:
    return (
        Ticket.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        Outbox.objects.count(),
        TicketEvent.objects.count(),
    )


# --- fixture families -------------------------------------------------------------------


def test_walmart_relay_message_opens_a_linked_buyer_ticket_with_its_message_kept_whole(
    account: SellerAccount,
) -> None:
    order = make_order(account, "1234567890123", "200098765432101")
    raw = fixture("walmart_relay_where_is_my_order")

    result = ingest(raw, clock=FrozenClock(NOW))

    assert result.outcome == "ingested" and result.new_ticket and result.linked_order
    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.account == account
    assert ticket.kind == Kind.BUYER_WALMART.value == "buyer_walmart"
    assert ticket.intent == Intent.WHERE_IS_MY_ORDER.value
    assert ticket.relay_address == WALMART_RELAY
    assert ticket.order == order
    assert ticket.order_number == "1234567890123"
    assert ticket.status == Ticket.Status.NEW
    assert ticket.needs_reply is True
    assert ticket.one_hour_deadline is False
    message = only_message(ticket)
    assert message.direction == Message.Direction.INBOUND
    assert message.message_id == "wm.0001.a1b2@relay.walmart.com"
    assert message.sender == WALMART_RELAY
    assert message.sender_name == "Jane Buyer"
    # No delivery time was given: the top Received: header, not Date: (14:05:07 UTC).
    assert message.received_at == datetime(2025, 3, 3, 14, 5, 9, tzinfo=UTC)
    assert "time it reached us taken from: received_header" in message.notes
    assert ticket.last_message_at == message.received_at
    with message.raw.open("rb") as handle:
        assert handle.read() == raw
    assert TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True).get() == (
        "created"
    )
    assert Outbox.objects.count() == 0


def test_delivery_time_given_by_the_transport_wins_over_the_headers(
    account: SellerAccount,
) -> None:
    delivered = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)

    result = ingest(fixture("walmart_relay_where_is_my_order"), delivered_at=delivered)

    message = Message.objects.get(ticket_id=result.ticket_id)
    assert message.received_at == delivered
    assert not any("time it reached us" in note for note in message.notes)


def test_attachment_is_stored_with_its_bytes(account: SellerAccount) -> None:
    result = ingest(fixture("walmart_relay_damaged_item"))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.intent == Intent.DAMAGED_ITEM.value
    (attachment,) = Attachment.objects.filter(message__ticket=ticket)
    assert (attachment.filename, attachment.content_type, attachment.inline) == (
        "IMG_2041.JPG",
        "image/jpeg",
        False,
    )
    with attachment.file.open("rb") as handle:
        data = handle.read()
    assert len(data) == attachment.size > 0
    assert data[:2] == b"\xff\xd8"  # a JPEG, decoded from its base64


def test_hostile_html_is_stored_sanitized(account: SellerAccount) -> None:
    raw = fixture("html_hostile").replace(b"To: ", b"To: support@acme-outdoor.example, ", 1)
    result = ingest(raw, account=account)

    html = Message.objects.get(ticket_id=result.ticket_id).html
    assert html  # the HTML is kept, cleaned
    assert "<script" not in html.lower()
    assert re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE) is None
    assert "javascript:" not in html.lower()
    assert "<iframe" not in html.lower()


@pytest.mark.parametrize(
    ("name", "kind", "order_number", "one_hour"),
    [
        ("walmart_escalation_notice", Kind.WALMART_ESCALATION, "1234567890123", False),
        ("walmart_case_notice", Kind.WALMART_CASE, "7890123456789", False),
        ("complaint_bbb", Kind.COMPLAINT_BBB_AG, "8901234567890", True),
    ],
)
def test_notices_and_complaints_open_tickets_that_need_a_reply(
    account: SellerAccount, name: str, kind: Kind, order_number: str, one_hour: bool
) -> None:
    result = ingest(fixture(name))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.kind == kind.value
    assert ticket.status == Ticket.Status.NEW
    assert ticket.needs_reply is True
    assert ticket.one_hour_deadline is one_hour
    assert ticket.order_number == order_number
    assert ticket.order is None  # no such order synced
    # Replies go to the marketplace address that sent the notice.
    assert ticket.relay_address == only_message(ticket).sender


def test_amazon_relay_message_opens_a_buyer_amazon_ticket_linked_to_its_order(
    account: SellerAccount,
) -> None:
    order = make_order(account, "111-7366207-0755439", "111-7366207-0755439")

    result = ingest(fixture("amazon_relay_where_is_my_order"))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.kind == Kind.BUYER_AMAZON.value
    assert ticket.intent == Intent.WHERE_IS_MY_ORDER.value
    assert ticket.relay_address == "7pk9s3dt2qjxw1v@marketplace.amazon.com"
    assert ticket.order == order
    assert only_message(ticket).message_id == "0100018e.amz1@email.amazonses.com"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("auto_reply_out_of_office", Kind.AUTO_REPLY),
        ("auto_reply_x_autoreply_only", Kind.AUTO_REPLY),
        ("bounce_dsn_postfix", Kind.BOUNCE),
        ("bounce_exchange_ndr", Kind.BOUNCE),
        ("spam_marketing", Kind.SPAM),
        ("walmart_system_notice", Kind.MARKETPLACE_SYSTEM),
    ],
)
def test_mail_needing_no_reply_is_filed_solved_and_never_queues_a_reply(
    account: SellerAccount, name: str, kind: Kind
) -> None:
    result = ingest(fixture(name), account=account)

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.kind == kind.value
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.needs_reply is False
    assert Outbox.objects.count() == 0


def test_auto_reply_to_our_reply_neither_reopens_nor_answers(account: SellerAccount) -> None:
    ticket = Ticket.objects.get(pk=ingest(fixture("walmart_relay_where_is_my_order")).ticket_id)
    ours = actions.do_reply(ticket, author=None, text="It ships today.")
    raw = fixture("auto_reply_out_of_office").replace(
        b"sd.500.aa@sellerdesk", ours.message_id.encode()
    )

    result = ingest(raw)

    assert (result.outcome, result.ticket_id, result.threaded) == ("ingested", ticket.pk, True)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert Outbox.objects.count() == 1  # only our own reply
    assert not TicketEvent.objects.filter(ticket=ticket, kind="reopened").exists()


# --- threading --------------------------------------------------------------------------


@pytest.fixture
def first(account: SellerAccount) -> Ticket:
    result = ingest(fixture("walmart_relay_where_is_my_order"), clock=FrozenClock(NOW))
    return Ticket.objects.get(pk=result.ticket_id)


def test_reply_to_our_outgoing_reply_threads_by_in_reply_to(first: Ticket) -> None:
    ours = actions.do_reply(first, author=None, text="It ships today.")
    raw = buyer_mail(
        "b2@relay.walmart.com",
        sender="0123456789abcdef0123456789abcdef@relay.walmart.com",
        subject="Totally different",
        in_reply_to=ours.message_id,
    )

    result = ingest(raw)

    assert (result.ticket_id, result.threaded, result.new_ticket) == (first.pk, True, False)
    assert first.messages.count() == 3
    first.refresh_from_db()
    assert first.status == Ticket.Status.OPEN  # the buyer answered our pending reply


def test_reply_token_only_in_references_threads(first: Ticket) -> None:
    unknown_id = f"sd.{first.reply_token}.ffff0000@acme-outdoor.example"
    raw = buyer_mail(
        "b3@relay.walmart.com",
        sender="fedcba9876543210fedcba9876543210@relay.walmart.com",
        subject="Something unrelated",
        references=f"<unrelated@example.org> <{unknown_id}>",
    )

    result = ingest(raw)

    assert (result.ticket_id, result.threaded) == (first.pk, True)


def test_same_relay_and_order_number_threads_despite_a_new_subject(first: Ticket) -> None:
    raw = buyer_mail(
        "b4@relay.walmart.com", subject="Still waiting", body="PO 1234567890123, any news?"
    )

    result = ingest(raw)

    assert (result.ticket_id, result.threaded) == (first.pk, True)


def test_same_relay_and_subject_threads_within_the_window_only(account: SellerAccount) -> None:
    start = ingest(buyer_mail("s1@relay.walmart.com", date="Mon, 03 Mar 2025 09:00:00 +0000"))
    inside = ingest(
        buyer_mail(
            "s2@relay.walmart.com",
            subject="RE: Question about my tent",
            date="Sun, 09 Mar 2025 09:00:00 +0000",
        )
    )
    outside = ingest(buyer_mail("s3@relay.walmart.com", date="Mon, 24 Mar 2025 09:00:00 +0000"))

    assert (inside.ticket_id, inside.threaded) == (start.ticket_id, True)
    assert outside.new_ticket and outside.ticket_id != start.ticket_id


def test_two_buyers_with_the_same_subject_never_merge(account: SellerAccount) -> None:
    one = ingest(
        buyer_mail(
            "x1@relay.walmart.com", sender="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@relay.walmart.com"
        )
    )
    two = ingest(
        buyer_mail(
            "x2@relay.walmart.com", sender="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@relay.walmart.com"
        )
    )

    assert one.new_ticket and two.new_ticket
    assert one.ticket_id != two.ticket_id
    assert (
        Ticket.objects.get(pk=two.ticket_id).relay_address
        == "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@relay.walmart.com"
    )


def test_buyer_message_reopens_a_solved_ticket(first: Ticket) -> None:
    actions.close(first, "other", status=Ticket.Status.SOLVED, actor=None)
    raw = buyer_mail("r1@relay.walmart.com", in_reply_to="wm.0001.a1b2@relay.walmart.com")

    result = ingest(raw)

    assert result.ticket_id == first.pk
    first.refresh_from_db()
    assert first.status == Ticket.Status.OPEN
    reopened = TicketEvent.objects.get(ticket=first, kind="reopened")
    assert reopened.data["previous_status"] == "solved"


def test_buyer_message_on_a_ticket_closed_over_14_days_ago_starts_a_linked_one(
    first: Ticket,
) -> None:
    actions.close(first, "other", status=Ticket.Status.CLOSED, actor=None, clock=FrozenClock(NOW))
    raw = buyer_mail("r2@relay.walmart.com", in_reply_to="wm.0001.a1b2@relay.walmart.com")

    result = ingest(raw, clock=FrozenClock(NOW + timedelta(days=15)))

    assert result.new_ticket and result.ticket_id != first.pk
    new = Ticket.objects.get(pk=result.ticket_id)
    assert new.previous == first
    first.refresh_from_db()
    assert first.status == Ticket.Status.CLOSED
    assert first.messages.count() == 1


def test_buyer_message_on_a_recently_closed_ticket_reopens_it(first: Ticket) -> None:
    actions.close(first, "other", status=Ticket.Status.CLOSED, actor=None, clock=FrozenClock(NOW))
    raw = buyer_mail("r3@relay.walmart.com", in_reply_to="wm.0001.a1b2@relay.walmart.com")

    result = ingest(raw, clock=FrozenClock(NOW + timedelta(days=13)))

    assert result.ticket_id == first.pk
    first.refresh_from_db()
    assert (first.status, first.closed_at) == (Ticket.Status.OPEN, None)


def test_second_ingest_of_the_same_message_is_a_duplicate_that_adds_nothing(
    first: Ticket,
) -> None:
    before = rows()

    result = ingest(fixture("walmart_relay_where_is_my_order"))

    assert result == IngestResult("duplicate")
    assert rows() == before


# --- order linking ----------------------------------------------------------------------


def test_customer_order_number_in_the_body_links_the_order(account: SellerAccount) -> None:
    order = make_order(account, "9999999999999", "200012345678901")

    result = ingest(fixture("walmart_relay_cancel_request"))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert result.linked_order
    assert (ticket.order, ticket.order_number) == (order, "9999999999999")


def test_without_an_order_number_the_buyers_most_recent_order_is_linked(
    account: SellerAccount,
) -> None:
    customer = Customer.objects.create(name="Jane Buyer")
    CustomerAddress.objects.create(customer=customer, address=WALMART_RELAY)
    make_order(account, "1000000000001", customer=customer, order_date=NOW - timedelta(days=30))
    recent = make_order(
        account, "1000000000002", customer=customer, order_date=NOW - timedelta(days=2)
    )
    make_order(account, "1000000000003", order_date=NOW - timedelta(days=1))  # someone else's

    result = ingest(buyer_mail("n1@relay.walmart.com", body="Do you sell tent pegs?"))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert result.linked_order
    assert (ticket.order, ticket.customer, ticket.order_number) == (
        recent,
        customer,
        "1000000000002",
    )


def test_unknown_order_number_is_kept_unlinked(account: SellerAccount) -> None:
    result = ingest(fixture("walmart_relay_where_is_my_order"))

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert not result.linked_order
    assert (ticket.order, ticket.order_number, ticket.customer) == (None, "1234567890123", None)
