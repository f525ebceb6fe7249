from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sellerdesk.lib.clock import system_clock
from sellerdesk.workspace.templatetags.deadlines import sla_state_now, time_left


@dataclass
class FakeTicket:
    due_at: datetime | None
    sla_state: str


def test_a_deadline_passed_since_the_last_sweep_reads_as_breached() -> None:
    now = system_clock.now()
    assert sla_state_now(FakeTicket(now - timedelta(minutes=1), "at_risk")) == "breached"
    assert sla_state_now(FakeTicket(now + timedelta(hours=1), "at_risk")) == "at_risk"
    assert sla_state_now(FakeTicket(None, "none")) == "none"


def test_time_left_reads_naturally() -> None:
    now = system_clock.now()
    assert time_left(now + timedelta(hours=5, minutes=20, seconds=30)) == "5 h 20 min left"
    assert time_left(now - timedelta(minutes=17, seconds=30)).startswith("overdue 17 min")
    assert time_left(now + timedelta(days=2, hours=3, minutes=1)) == "2 d 3 h left"
    assert time_left(None) == ""
