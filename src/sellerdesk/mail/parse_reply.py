"""What the sender actually wrote: quoted history and signature removed (pure: no Django).

mail-parser-reply does the heavy lifting (its header and signature patterns cover Gmail,
Outlook and Apple Mail in English). Around it: a cut at the markers it misses (forwards,
"-----Original Message-----" variants, Outlook's underscore line, ">"-quoted blocks), and a
size cap, because its patterns are backtracking regexes that must never see a 5 MB body.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser  # type: ignore[import-untyped]

from sellerdesk.mail.parse_html import html_to_text

# Quote markers that end the new text. A line matching one of these, and everything after
# it, is history.
_HISTORY_MARKERS = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:Original\s+Message|Forwarded\s+message|Reply\s+message)\s*-{2,}
      | Begin\s+forwarded\s+message:
      | _{20,}
      | On\s.{1,200}?\bwrote:\s*$
      | On\s.{1,120}$\n^.{0,120}\bwrote:\s*$
      | (?:\*\s*)?From:\s*\*?\s.+\n\s*(?:\*\s*)?(?:Sent|Date):
      | >.*\n\s*>
    )""",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)
_SIGNATURE_DELIMITER = re.compile(r"^-- ?$", re.MULTILINE)

# Marketplace relay framing around the buyer's words (kept in `text`, dropped from the new
# text): Amazon's "--- Message from X: ---" / "--- End message ---" lines, its commMgrTok
# token and reply footer, and the dashed footer under relayed Walmart messages.
_RELAY_FRAME_LINE = re.compile(r"^\s*-{3,}\s*Message\s+from\s+.{0,100}?:\s*-{3,}\s*$", re.I | re.M)
_RELAY_TOKEN = re.compile(r"\[commMgrTok:[^\]\n]{0,200}\]", re.I)
_RELAY_FOOTER = re.compile(
    r"^\s*(?:-{3,}\s*End\s+message\s*-{3,}|-{20,}\s*$|To\s+respond\s+to\s+this\s+customer\b"
    r"|This\s+message\s+was\s+sent\s+by\s+a\s+Walmart\s+customer\b)",
    re.I | re.M,
)


def _strip_relay_frame(text: str) -> str:
    text = _RELAY_TOKEN.sub("", _RELAY_FRAME_LINE.sub("", text))
    footer = _RELAY_FOOTER.search(text)
    return text[: footer.start()] if footer else text


_MAX_INPUT = 20_000
# The library's signature patterns cost about a millisecond per 30 KB; past a few KB a
# message is not a one-line reply plus signature, and our own cut is what it needs.
_LIBRARY_MAX_INPUT = 4_000


def _cut_history(text: str) -> str:
    match = _HISTORY_MARKERS.search(text)
    if match:
        text = text[: match.start()]
    sig = _SIGNATURE_DELIMITER.search(text)
    if sig:
        text = text[: sig.start()]
    return text.strip()


def _library_reply(text: str) -> str:
    try:
        message = EmailReplyParser(languages=["en"]).read(text)
    except Exception:  # a third-party regex library: never let it fail a message
        return text
    replies = getattr(message, "replies", None) or []
    for reply in replies:
        body = (reply.body or "").strip()
        if body:
            return body
    return text


def extract_new_text(text: str, html: str | None) -> str:
    """The new part of a message, from its plain text, else from its raw (unsanitized) HTML.

    Falls back to the whole text when stripping would leave nothing: a message that is all
    quote (a bare forward, say) still shows something.
    """
    source = text
    if not source.strip() and html:
        source = html_to_text(html[: _MAX_INPUT * 5], drop_quotes=True)
    head = source.replace("\r\n", "\n")[:_MAX_INPUT]
    cut = _cut_history(_strip_relay_frame(head))
    if not cut:
        return source.strip()[:_MAX_INPUT]
    if len(cut) > _LIBRARY_MAX_INPUT:
        return cut
    new = _library_reply(cut).strip()
    return new or cut
