"""The tracking progress of an order line and its tracking link (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sellerdesk.orders.tracking import LineFacts, line_progress, safe_web_url, tracking_link

ORDERED = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
ESTIMATE = ORDERED + timedelta(days=6)


def facts(status: str, **fields: object) -> LineFacts:
    values: dict[str, object] = {
        "status": status,
        "status_date": None,
        "order_date": ORDERED,
        "ship_date": None,
        "estimated_delivery": ESTIMATE,
    }
    values.update(fields)
    return LineFacts(**values)  # type: ignore[arg-type]


def states(progress: object) -> list[tuple[str, str, datetime | None]]:
    return [(s.key, s.state, s.at) for s in progress.steps]  # type: ignore[attr-defined]


def test_a_created_line_is_at_ordered_with_the_estimate_on_delivered() -> None:
    progress = line_progress(facts("Created"), ORDERED + timedelta(hours=1))

    assert states(progress) == [
        ("ordered", "current", ORDERED),
        ("acknowledged", "todo", None),
        ("shipped", "todo", None),
        ("in_transit", "todo", None),
        ("delivered", "todo", ESTIMATE),
    ]
    assert progress.steps[-1].estimated is True
    assert (progress.late, progress.cancelled, progress.split) == (False, False, "")


def test_an_acknowledged_line_shows_when_it_was_acknowledged() -> None:
    acked = ORDERED + timedelta(hours=3)
    progress = line_progress(facts("Acknowledged", status_date=acked), acked)

    assert states(progress)[:3] == [
        ("ordered", "done", ORDERED),
        ("acknowledged", "current", acked),
        ("shipped", "todo", None),
    ]


def test_a_shipped_line_is_in_transit_and_keeps_no_invented_acknowledge_date() -> None:
    shipped = ORDERED + timedelta(days=1)
    progress = line_progress(
        facts("Shipped", status_date=shipped, ship_date=shipped), shipped + timedelta(days=1)
    )

    assert states(progress) == [
        ("ordered", "done", ORDERED),
        ("acknowledged", "done", None),
        ("shipped", "done", shipped),
        ("in_transit", "current", None),
        ("delivered", "todo", ESTIMATE),
    ]
    assert progress.late is False


def test_a_line_past_its_estimate_and_not_delivered_is_late_by_whole_days() -> None:
    shipped = ORDERED + timedelta(days=1)
    now = ESTIMATE + timedelta(days=2, hours=5)

    progress = line_progress(facts("Shipped", ship_date=shipped), now)

    assert (progress.late, progress.days_late) == (True, 2)


def test_a_line_hours_past_its_estimate_is_late_by_zero_whole_days() -> None:
    progress = line_progress(facts("Acknowledged"), ESTIMATE + timedelta(hours=3))

    assert (progress.late, progress.days_late) == (True, 0)


def test_a_delivered_line_is_done_and_never_late_even_long_after_the_estimate() -> None:
    delivered = ESTIMATE - timedelta(days=1)
    progress = line_progress(
        facts("Delivered", status_date=delivered, ship_date=ORDERED + timedelta(days=1)),
        ESTIMATE + timedelta(days=30),
    )

    assert [s.state for s in progress.steps] == ["done"] * 5
    assert progress.steps[-1].at == delivered and progress.steps[-1].estimated is False
    assert (progress.late, progress.delivered_late) == (False, False)


def test_a_line_delivered_after_the_estimate_says_so() -> None:
    delivered = ESTIMATE + timedelta(days=1)
    progress = line_progress(facts("Delivered", status_date=delivered), delivered)

    assert (progress.late, progress.delivered_late) == (False, True)


def test_a_cancelled_line_stops_at_ordered_and_is_never_late() -> None:
    cancelled = ORDERED + timedelta(hours=2)
    progress = line_progress(
        facts("Cancelled", status_date=cancelled), ESTIMATE + timedelta(days=10)
    )

    assert states(progress) == [
        ("ordered", "done", ORDERED),
        ("acknowledged", "todo", None),
        ("shipped", "todo", None),
        ("in_transit", "todo", None),
        ("delivered", "todo", None),
    ]
    assert (progress.cancelled, progress.cancelled_at, progress.late) == (True, cancelled, False)


def test_a_line_whose_units_went_different_ways_names_the_split() -> None:
    progress = line_progress(
        facts("Shipped", status_quantities=[("Cancelled", 1), ("Shipped", 2)]), ORDERED
    )

    assert progress.split == "2 shipped, 1 cancelled"


def test_a_line_with_one_status_has_no_split() -> None:
    assert line_progress(facts("Shipped", status_quantities=[("Shipped", 2)]), ORDERED).split == ""


def test_an_unknown_status_counts_as_ordered() -> None:
    assert line_progress(facts("Refund"), ORDERED).steps[0].state == "current"


def test_the_marketplace_tracking_url_wins() -> None:
    url = "https://carrier.example/track?n=1"

    assert tracking_link("UPS", "1Z999", url) == url


def test_a_carrier_without_url_links_to_its_public_tracking_page() -> None:
    assert tracking_link("USPS", "9400 1000", "") == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400%201000"
    )
    assert tracking_link("fedex", "123", "") == "https://www.fedex.com/fedextrack/?trknbr=123"


def test_a_script_url_is_never_a_link_and_an_unknown_carrier_without_url_has_none() -> None:
    assert tracking_link("UPS", "1Z9", "javascript:alert(1)") == (
        "https://www.ups.com/track?tracknum=1Z9"
    )
    assert tracking_link("Local Courier", "77", "javascript:alert(1)") is None
    assert tracking_link("Local Courier", "77", "") is None


def test_safe_web_url_accepts_only_absolute_http_addresses() -> None:
    assert safe_web_url(" https://a.example/x ") == "https://a.example/x"
    assert safe_web_url("http://a.example") == "http://a.example"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//a.example", "/local", "https://"):
        assert safe_web_url(bad) is None
