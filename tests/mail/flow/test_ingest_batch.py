"""ingest_batch(): a batch files every message exactly as one-by-one ingestion would (the same
tickets, messages, events, deadlines and results), sees its own earlier messages (a reply
and its parent, duplicates), and quarantines a bad message alone without losing the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.lib.events import _TicketAnnouncement
from sellerdesk.mail.ingest import IngestResult, ingest
from sellerdesk.mail.ingest_batch import RawMail, batches, ingest_batch
from sellerdesk.mail.models import QuarantinedMail
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import (
    Attachment,
    Inquiry,
    Message,
    Outbox,
    Ticket,
    TicketEvent,
)
from tests.mail.flow.conftest import FIXTURES, NOW, SENDER, SUPPORT, buyer_mail, make_order

pytestmark = pytest.mark.django_db

CLOCK = FrozenClock(NOW)
BUYER = "1111111111111111111111111111111a@relay.walmart.com"
KNOWN_BUYER = "2222222222222222222222222222222b@relay.walmart.com"


def relay(n: int) -> str:
    return f"{n:032x}@relay.walmart.com"


def without_message_id(body: str) -> bytes:
    return (
        f"From: {relay(77)}\r\nTo: {SUPPORT}\r\nSubject: No id\r\n"
        f"Date: Mon, 10 Mar 2025 08:00:00 +0000\r\n\r\n{body}\r\n"
    ).encode()


# --- one batch, the same rows as one message at a time ------------------------------------


def history(account: SellerAccount) -> dict[str, Any]:
    """Tickets in the states a batch must respect, made before either run: open (with a
    reply of ours queued), solved, closed long ago, merged into another, and snoozed."""
    make_order(account, "1234567890123", "200098765432101")
    customer = Customer.objects.create(name="Known Buyer")
    CustomerAddress.objects.create(customer=customer, address=KNOWN_BUYER)
    make_order(account, "5555555555555", customer=customer, order_date=NOW - timedelta(days=3))

    def opened(n: int) -> Ticket:
        result = ingest(
            buyer_mail(f"h{n}@relay.walmart.com", sender=relay(n), subject=f"History {n}"),
            account=account,
            clock=FrozenClock(NOW - timedelta(days=30)),
        )
        return Ticket.objects.get(pk=result.ticket_id)

    answered, solved, closed, merged, survivor, snoozed = (opened(n) for n in range(1, 7))
    ours = actions.do_reply(answered, author=None, text="It ships today.", clock=CLOCK)
    actions.close(solved, "other", status=Ticket.Status.SOLVED, actor=None, clock=CLOCK)
    actions.close(
        closed,
        "other",
        status=Ticket.Status.CLOSED,
        actor=None,
        clock=FrozenClock(NOW - timedelta(days=20)),
    )
    Ticket.objects.filter(pk=merged.pk).update(merged_into=survivor)
    Ticket.objects.filter(pk=snoozed.pk).update(snoozed_until=NOW + timedelta(days=2))
    return {"ours": ours.message_id}


def corpus(ours: str) -> list[bytes]:
    """Every fixture family, then the cases where a batch must see its own earlier messages
    or the history above."""
    fixtures = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]
    bounce = (FIXTURES / "bounce_dsn_postfix.eml").read_bytes()
    return [
        *fixtures,
        # A new conversation and, in the same batch, its follow-ups by every threading key.
        buyer_mail("p1@relay.walmart.com", sender=BUYER, subject="Broken pole"),
        buyer_mail("p2@relay.walmart.com", sender=BUYER, in_reply_to="p1@relay.walmart.com"),
        buyer_mail("p3@relay.walmart.com", sender=relay(99), references="<p2@relay.walmart.com>"),
        buyer_mail(
            "p4@relay.walmart.com",
            sender=BUYER,
            subject="RE: Broken pole",
            date="Tue, 11 Mar 2025 09:00:00 +0000",
        ),
        buyer_mail("o1@relay.walmart.com", sender=relay(98), body="About PO 7777777777777."),
        buyer_mail("o2@relay.walmart.com", sender=relay(98), subject="Hm", body="7777777777777?"),
        # Duplicates: of a message earlier in the batch, by Message-ID and by raw source.
        buyer_mail("p1@relay.walmart.com", sender=BUYER, subject="Broken pole"),
        without_message_id("first"),
        without_message_id("first"),
        # The history: a reply, a reopening, a closed ticket's successor, a merge, a wake-up.
        buyer_mail("r1@relay.walmart.com", sender=relay(1), in_reply_to=ours),
        buyer_mail("r2@relay.walmart.com", sender=relay(2), in_reply_to="h2@relay.walmart.com"),
        buyer_mail("r3@relay.walmart.com", sender=relay(3), in_reply_to="h3@relay.walmart.com"),
        buyer_mail("r4@relay.walmart.com", sender=relay(4), in_reply_to="h4@relay.walmart.com"),
        buyer_mail("r6@relay.walmart.com", sender=relay(6), in_reply_to="h6@relay.walmart.com"),
        bounce.replace(b"sd.123.abc@sellerdesk", ours.encode()),
        # Our own mail seen again: filed on its ticket, or nowhere.
        buyer_mail(
            "copy1@acme-outdoor.example",
            sender=SENDER,
            to=BUYER,
            in_reply_to="p1@relay.walmart.com",
        ),
        buyer_mail("copy2@acme-outdoor.example", sender=SENDER, to=BUYER, subject="Unrelated"),
        # A known buyer naming no order: their most recent one.
        buyer_mail("k1@relay.walmart.com", sender=KNOWN_BUYER, body="Any news?"),
        b"",
    ]


def snapshot(results: Sequence[IngestResult]) -> dict[str, Any]:
    """Everything ingestion writes, with ids replaced by their rank, so two runs compare."""
    tickets = {
        pk: n for n, pk in enumerate(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    }
    messages = {
        pk: n for n, pk in enumerate(Message.objects.order_by("pk").values_list("pk", flat=True))
    }

    def rows(
        model: Any, skip: set[str], ticket_fields: set[str], message_fields: set[str]
    ) -> list[dict[str, Any]]:
        out = []
        for row in model.objects.order_by("pk").values():
            for name in ticket_fields:
                row[name] = tickets.get(row[name])
            for name in message_fields:
                row[name] = messages.get(row[name])
            out.append({k: v for k, v in row.items() if k not in skip})
        return out

    events = rows(TicketEvent, {"id"}, {"ticket_id"}, set())
    for event in events:
        if "message" in event["data"]:
            event["data"]["message"] = messages.get(event["data"]["message"])
        if event["data"].get("previous"):
            event["data"]["previous"] = tickets.get(event["data"]["previous"])
    attachments = [
        (messages[a.message_id], a.filename, a.content_type, a.size, a.inline, a.file.read())
        for a in Attachment.objects.order_by("pk")
    ]
    return {
        "results": [
            {**vars(result), "ticket_id": tickets.get(result.ticket_id or 0)} for result in results
        ],
        "tickets": rows(Ticket, {"id", "reply_token"}, {"previous_id", "merged_into_id"}, set()),
        "messages": rows(Message, {"id"}, {"ticket_id"}, set()),
        "attachments": attachments,
        "events": events,
        "inquiries": rows(
            Inquiry, {"id"}, {"ticket_id"}, {"opened_by_id", "answered_by_message_id"}
        ),
        "outbox": rows(Outbox, {"id"}, set(), {"message_id"}),
        "quarantined": list(
            QuarantinedMail.objects.order_by("pk").values_list("source", "reason", "account")
        ),
    }


def announced(callbacks: Sequence[Callable[[], None]]) -> list[tuple[Any, ...]]:
    """What the after-commit callbacks would announce (realtime events), in order."""
    ranks = {
        pk: n for n, pk in enumerate(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    }
    return [
        ("ticket.changed", ranks[c.ticket_id], tuple(c.kinds), c.actor)
        if isinstance(c, _TicketAnnouncement)
        else (getattr(c, "__qualname__", type(c).__name__),)
        for c in callbacks
    ]


def run_and_undo(run: Callable[[], list[IngestResult]], capture: Any) -> dict[str, Any]:
    """The snapshot after `run`, with what it would announce once committed; then
    everything it wrote is rolled back."""
    with transaction.atomic():
        with capture() as callbacks:
            found = snapshot(run())
        found["announced"] = announced(callbacks)
        transaction.set_rollback(True)
    return found


@pytest.mark.parametrize("size", [100, 3])
def test_a_batch_writes_exactly_what_one_by_one_ingestion_writes(
    account: SellerAccount, django_capture_on_commit_callbacks: Any, size: int
) -> None:
    raws = corpus(history(account)["ours"])
    sources = [f"inbox:{n}" for n in range(len(raws))]

    def one_by_one() -> list[IngestResult]:
        return [
            ingest(raw, account=account, source=source, clock=CLOCK)
            for raw, source in zip(raws, sources, strict=True)
        ]

    def batched() -> list[IngestResult]:
        mails = [
            RawMail(raw, key=n, source=source)
            for n, (raw, source) in enumerate(zip(raws, sources, strict=True))
        ]
        results: list[IngestResult] = []
        for batch in batches(mails, size=size):
            results += ingest_batch(batch, account=account, clock=CLOCK)
        return results

    expected = run_and_undo(one_by_one, django_capture_on_commit_callbacks)
    found = run_and_undo(batched, django_capture_on_commit_callbacks)

    for part in expected:
        assert found[part] == expected[part], part
    # The corpus exercises what it claims to: every outcome, every threading path.
    outcomes = {r["outcome"] for r in expected["results"]}
    assert outcomes == {"ingested", "duplicate", "quarantined"}
    kinds = {e["kind"] for e in expected["events"]}
    assert {"created", "message_received", "reopened", "woken", "replied_elsewhere"} <= kinds
    assert any(t["previous_id"] is not None for t in expected["tickets"])
    assert len(expected["announced"]) > len(raws) // 2


# --- what a batch sees of itself ----------------------------------------------------------


def take(account: SellerAccount, raws: Sequence[bytes]) -> tuple[list[IngestResult], list[int]]:
    """One batch of `raws`; returns the results and the keys `taken` was called with."""
    taken: list[int] = []
    results = ingest_batch(
        [RawMail(raw, key=n, source=f"inbox:{n}") for n, raw in enumerate(raws)],
        account=account,
        clock=CLOCK,
        taken=lambda mails: taken.extend(mail.key for mail in mails),
    )
    return results, taken


def test_a_reply_and_its_parent_in_one_batch_thread_together(account: SellerAccount) -> None:
    (parent, reply, by_subject, other), taken = take(
        account,
        [
            buyer_mail("a1@relay.walmart.com", sender=BUYER, subject="Broken pole"),
            buyer_mail("a2@relay.walmart.com", sender=relay(9), in_reply_to="a1@relay.walmart.com"),
            buyer_mail("a3@relay.walmart.com", sender=BUYER, subject="Re: Broken pole"),
            buyer_mail("a4@relay.walmart.com", sender=relay(8), subject="Broken pole"),
        ],
    )

    assert (parent.outcome, parent.new_ticket) == ("ingested", True)
    assert parent.ticket_id is not None
    assert (reply.ticket_id, reply.threaded, reply.new_ticket) == (parent.ticket_id, True, False)
    assert (by_subject.ticket_id, by_subject.threaded) == (parent.ticket_id, True)
    assert other.new_ticket and other.ticket_id != parent.ticket_id  # another buyer
    ticket = Ticket.objects.get(pk=parent.ticket_id)
    assert list(ticket.messages.order_by("pk").values_list("message_id", flat=True)) == [
        "a1@relay.walmart.com",
        "a2@relay.walmart.com",
        "a3@relay.walmart.com",
    ]
    assert list(ticket.events.order_by("pk").values_list("kind", flat=True)) == [
        "created",
        "message_received",
        "message_received",
    ]
    assert taken == [0, 1, 2, 3]  # one transaction took them all


def test_a_message_twice_in_one_batch_is_filed_once(account: SellerAccount) -> None:
    results, _ = take(
        account,
        [
            buyer_mail("d1@relay.walmart.com", sender=BUYER),
            buyer_mail("d1@relay.walmart.com", sender=BUYER),
            without_message_id("same bytes"),
            without_message_id("same bytes"),
            without_message_id("other bytes"),
        ],
    )

    assert [r.outcome for r in results] == [
        "ingested",
        "duplicate",
        "ingested",
        "duplicate",
        "ingested",
    ]
    assert Message.objects.filter(message_id="d1@relay.walmart.com").count() == 1
    assert Message.objects.filter(message_id="").count() == 2
    assert Ticket.objects.count() == 2  # the two without an id are one buyer's one subject


def test_an_unreadable_message_is_quarantined_inside_its_batch(account: SellerAccount) -> None:
    results, taken = take(
        account,
        [
            buyer_mail("u1@relay.walmart.com", sender=BUYER),
            b"",
            buyer_mail("u2@relay.walmart.com", sender=relay(5)),
        ],
    )

    assert [(r.outcome, r.reason) for r in results] == [
        ("ingested", ""),
        ("quarantined", "unreadable: empty message"),
        ("ingested", ""),
    ]
    assert QuarantinedMail.objects.get().source == "inbox:1"
    assert taken == [0, 1, 2]  # no fallback was needed: still one transaction


def test_a_message_that_breaks_filing_is_quarantined_alone_and_the_rest_come_in(
    account: SellerAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A filing bug that hits one message, however it is filed (in a batch or on its own).
    real_open_ticket, real_open_tickets = actions.open_ticket, actions.open_tickets

    def open_ticket(**kwargs: Any) -> Any:
        if kwargs["incoming"].message_id == "bad@relay.walmart.com":
            raise RuntimeError("filing bug")
        return real_open_ticket(**kwargs)

    def open_tickets(openings: Sequence[actions.Opening], **kwargs: Any) -> Any:
        if any(o.incoming.message_id == "bad@relay.walmart.com" for o in openings):
            raise RuntimeError("filing bug")
        return real_open_tickets(openings, **kwargs)

    monkeypatch.setattr(actions, "open_ticket", open_ticket)
    monkeypatch.setattr(actions, "open_tickets", open_tickets)
    parent = buyer_mail("g1@relay.walmart.com", sender=BUYER)

    results, taken = take(
        account,
        [
            parent,
            buyer_mail("bad@relay.walmart.com", sender=relay(4)),
            buyer_mail("g2@relay.walmart.com", sender=relay(3), in_reply_to="g1@relay.walmart.com"),
        ],
    )

    assert [(r.outcome, r.new_ticket, r.threaded) for r in results] == [
        ("ingested", True, False),
        ("quarantined", False, False),
        ("ingested", False, True),
    ]
    assert results[1].reason == "could not be filed: RuntimeError: filing bug"
    assert results[2].ticket_id == results[0].ticket_id
    item = QuarantinedMail.objects.get()
    assert (item.source, item.reason, item.account) == ("inbox:1", results[1].reason, account)
    assert list(Message.objects.order_by("pk").values_list("message_id", flat=True)) == [
        "g1@relay.walmart.com",
        "g2@relay.walmart.com",
    ]
    # The batch was rolled back and its messages taken one by one, each on its own.
    assert taken == [0, 1, 2]
    assert TicketEvent.objects.count() == 2


def test_batches_split_by_count_and_by_size() -> None:
    mails = [RawMail(b"x" * size, key=n) for n, size in enumerate([10, 10, 10, 50, 10, 10])]

    by_count = [[m.key for m in batch] for batch in batches(mails, size=4, max_bytes=1000)]
    by_size = [[m.key for m in batch] for batch in batches(mails, size=10, max_bytes=40)]

    assert by_count == [[0, 1, 2, 3], [4, 5]]
    # A message larger than the limit is a batch of its own, never dropped.
    assert by_size == [[0, 1, 2], [3], [4, 5]]
