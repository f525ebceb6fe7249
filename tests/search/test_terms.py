"""What a query looks like, the FTS5 expression made of it, and the highlight pieces: pure."""

from __future__ import annotations

from sellerdesk.search.highlight import START, STOP, pieces
from sellerdesk.search.terms import fts5_match, parse


def test_a_walmart_order_number_is_an_order_number_and_may_be_a_tracking_number() -> None:
    query = parse("  108829476512345 ")

    assert query.identifier == "108829476512345"
    assert query.order_number
    assert query.tracking_number  # FedEx numbers are digits too: both lookups run
    assert query.words == ("108829476512345",)
    assert query.name == ""


def test_an_amazon_order_id_is_an_order_number_but_no_tracking_number() -> None:
    query = parse("112-4589321-6604267")

    assert (query.identifier, query.order_number, query.tracking_number) == (
        "112-4589321-6604267",
        True,
        False,
    )


def test_a_ups_tracking_number_is_a_tracking_number() -> None:
    query = parse("1z999aa10123456784")

    assert (query.identifier, query.order_number, query.tracking_number) == (
        "1z999aa10123456784",
        False,
        True,
    )


def test_names_addresses_words_and_ticket_numbers() -> None:
    assert parse("Jane Buyer").name == "Jane Buyer"
    assert parse("Jane Buyer").identifier == ""
    assert parse("8F14E45F@relay.walmart.com").address == "8F14E45F@relay.walmart.com"
    assert parse("#42").ticket_id == 42
    assert parse("broken lamp, again!").words == ("broken", "lamp", "again")
    assert parse("lamp").tracking_number is False  # no digit: a word, not a number


def test_the_fts5_expression_quotes_every_word_so_nothing_is_syntax() -> None:
    assert fts5_match(("broken", "lamp")) == '"broken" "lamp"'
    assert fts5_match(("NEAR", 'a"b')) == '"NEAR" "a""b"'


def test_pieces_split_marked_text_into_plain_and_matching_runs() -> None:
    marked = f"The {START}lamp{STOP} arrived {START}broken{STOP}."

    assert pieces(marked) == [
        ("The ", False),
        ("lamp", True),
        (" arrived ", False),
        ("broken", True),
        (".", False),
    ]
    assert pieces("") == []
    assert pieces(f"{START}<b>{STOP}") == [("<b>", True)]
