"""The HTML sanitizer against hostile input: nothing active survives."""

from __future__ import annotations

import re

import pytest

from sellerdesk.mail.parse import parse_message, sanitize_html
from tests.mail.pure.corpus import fixture_bytes

ACTIVE = re.compile(
    r"<\s*(?:script|style|iframe|frame|object|embed|form|input|meta|base|link|svg|math)\b"
    r"|\son[a-z]+\s*=|javascript:|expression\(|srcdoc|position\s*:",
    re.IGNORECASE,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p>',
    '<div style="width:expression(alert(1))">x</div>',
    "<style>body{position:fixed}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example"><input name=p><button>go</button></form>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<!--<script>alert(1)</script>-->",
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<body onload="alert(1)">text</body>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<table background="https://tracker.example/bg.gif"><tr><td>x</td></tr></table>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]


@pytest.mark.parametrize("html", HOSTILE)
def test_hostile_html_loses_everything_active(html: str) -> None:
    cleaned = sanitize_html(html)
    assert not ACTIVE.search(cleaned), cleaned
    assert "evil.example" not in cleaned
    assert "tracker.example" not in cleaned


def test_links_open_in_a_new_tab_without_referrer() -> None:
    assert sanitize_html('<a href="https://walmart.com/x" rel="opener">w</a>') == (
        '<a href="https://walmart.com/x" target="_blank" rel="noopener noreferrer nofollow">w</a>'
    )


def test_relative_links_are_dropped_because_they_would_resolve_against_our_site() -> None:
    assert sanitize_html('<a href="/admin/">x</a>') == (
        '<a target="_blank" rel="noopener noreferrer nofollow">x</a>'
    )
    assert sanitize_html('<img src="//evil.example/p.gif">') == "<img>"


def test_remote_images_are_blocked_with_the_url_kept_for_show_images() -> None:
    html = '<img src="https://cdn.example/p.png?a=1&b=2" alt="p">'
    assert sanitize_html(html) == (
        '<img data-remote-src="https://cdn.example/p.png?a=1&amp;b=2" alt="p">'
    )
    assert sanitize_html(html, allow_remote_images=True) == (
        '<img src="https://cdn.example/p.png?a=1&amp;b=2" alt="p">'
    )


def test_blocked_mark_cannot_be_forged_by_the_sender() -> None:
    cleaned = sanitize_html('<img src="sellerdesk-remote:javascript:alert(1)">')
    assert cleaned == "<img>"


def test_cid_and_raster_data_images_are_kept_other_data_urls_are_not() -> None:
    assert sanitize_html('<img src="cid:part1@x">') == '<img src="cid:part1@x">'
    png = "data:image/png;base64,iVBORw0KGgo="
    assert sanitize_html(f'<img src="{png}">') == f'<img src="{png}">'
    assert sanitize_html('<a href="cid:part1@x">x</a>') == (
        '<a rel="noopener noreferrer nofollow" target="_blank">x</a>'
    )


def test_layout_and_quoting_markup_survive() -> None:
    html = (
        '<table border="0"><tr><td colspan="2" style="color:red">a</td></tr></table>'
        '<blockquote type="cite">q</blockquote><blockquote type="evil">r</blockquote>'
    )
    assert sanitize_html(html) == (
        '<table border="0"><tbody><tr><td colspan="2">a</td></tr></tbody></table>'
        '<blockquote type="cite">q</blockquote><blockquote>r</blockquote>'
    )


def test_hostile_fixture_keeps_its_text_and_loses_its_attacks() -> None:
    parsed = parse_message(fixture_bytes("html_hostile.eml"))
    assert parsed.html is not None
    assert not ACTIVE.search(parsed.html), parsed.html
    assert "Please refund order 1234567890123." in parsed.html
    assert 'data-remote-src="https://tracker.example/pixel.gif?u=1&amp;v=2"' in parsed.html
    assert "alert" not in parsed.text
