"""The demo check submits forms as a browser would: these pin what a browser sends."""

from __future__ import annotations

import pytest

from sellerdesk.demo.pageforms import forms_of

PAGE = """
<form class="inline header-search" method="get" action="/search/"><input type="search" name="q"></form>
<form method="post" action="/tickets/7/update" id="status-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <input type="hidden" name="version" value="4">
  <select id="status" name="status"><option value="new">New</option><option value="open" selected>Open</option></select>
  <select name="root_cause"><option value="">—</option><option value="late_delivery">Late delivery</option></select>
  <select name="plain"><option>First choice</option><option>Second</option></select>
  <input type="checkbox" name="notify" value="1" checked>
  <input type="checkbox" name="silent" value="1">
  <input type="radio" name="mode" value="full" checked><input type="radio" name="mode" value="partial">
  <input type="file" name="files">
  <input type="text" name="gone" value="x" disabled>
  <textarea name="text">
Hello &lt;b&gt;</textarea>
  <button type="submit" name="preset" value="1h">1 hour</button>
  <button type="button" name="preview" value="1">Preview</button>
  <input type="submit" name="confirm" value="1">
  <button type="submit">Save</button>
</form>
"""


def test_a_form_sends_what_a_browser_sends_before_anyone_types() -> None:
    search, status = forms_of(PAGE)
    assert (search.method, search.action, search.fields) == ("get", "/search/", [("q", "")])
    assert (status.method, status.action, status.attrs["id"]) == (
        "post",
        "/tickets/7/update",
        "status-form",
    )
    # Entities decoded; the selected option, else the first (by its text when it has no
    # value); only checked boxes and radios; no file, no disabled field; the textarea
    # without the newline that follows its tag.
    assert status.fields == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("version", "4"),
        ("status", "open"),
        ("root_cause", ""),
        ("plain", "First choice"),
        ("notify", "1"),
        ("mode", "full"),
        ("text", "Hello <b>"),
    ]
    assert status.options["root_cause"] == ["", "late_delivery"]
    assert status.buttons == [("preset", "1h"), ("confirm", "1")]
    assert status.value("version") == "4"
    assert status.value("silent") is None


def test_changes_replace_fields_in_place_add_new_ones_and_the_clicked_button_is_sent() -> None:
    status = forms_of(PAGE)[1]
    sent = status.data(
        {"status": "closed", "root_cause": "late_delivery", "extra": "y"}, ("confirm", "1")
    )
    assert sent == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("version", "4"),
        ("status", "closed"),
        ("root_cause", "late_delivery"),
        ("plain", "First choice"),
        ("notify", "1"),
        ("mode", "full"),
        ("text", "Hello <b>"),
        ("extra", "y"),
        ("confirm", "1"),
    ]
    # The form itself is unchanged: it can be submitted again as rendered.
    assert status.value("status") == "open"


def test_clicking_a_button_the_form_does_not_have_is_refused() -> None:
    status = forms_of(PAGE)[1]
    with pytest.raises(ValueError, match="no button"):
        status.data(button=("preview", "1"))
