"""HTML from mail: the sanitizer, and HTML to plain text (pure: no Django).

The sanitized HTML is shown inside a sandboxed iframe under a strict CSP, but it is sanitized
here as if it were not: the allow-list below is the only thing between a buyer's HTML and an
agent's browser if a later change ever loosens the iframe.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

import nh3

# Tags kept (with their content). Everything else is unwrapped (its text kept) unless it is
# in _DROP_WITH_CONTENT, whose content is removed too.
_ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "address", "article", "b", "bdi", "bdo", "blockquote", "br", "caption",
        "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl",
        "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
        "rt", "ruby", "s", "samp", "section", "small", "span", "strike", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt",
        "u", "ul", "var", "wbr",
    }
)  # fmt: skip

# Removed together with everything inside them: scripts and styles, active or embedded
# content, forms, and document-level elements that change how the page loads (base, meta
# refresh, link). svg/math: foreign content is where most sanitizer bypasses live.
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "title", "head", "noscript", "template", "iframe", "frame",
        "frameset", "noframes", "object", "embed", "applet", "svg", "math", "form", "input",
        "button", "select", "textarea", "option", "meta", "link", "base", "xmp", "noembed",
        "plaintext", "audio", "video", "source", "track", "canvas", "dialog", "portal",
    }
)  # fmt: skip

# No `style` (styles that escape their box: position:fixed overlays, CSS expressions, url()
# loads), no event handlers, no id/name/class (they could target the UI's own CSS or scripts),
# no `background` (a remote image load), no srcset (a second, unchecked image URL).
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "dir", "lang", "align", "valign"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "width", "height", "nowrap"},
    "th": {"colspan", "rowspan", "width", "height", "nowrap", "scope"},
    "table": {"border", "cellpadding", "cellspacing", "width", "summary"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "details": {"open"},
}
# blockquote type="cite" marks Apple Mail / Thunderbird quoting: kept so the UI can fold it.
_TAG_ATTRIBUTE_VALUES = {"blockquote": {"type": {"cite"}}}

# `data:` is allowed through the scheme check only so the filter below can keep inline
# raster images (`<img src="data:image/png;base64,...">`): every other data: URL (links,
# SVG images, text/html) is dropped. `cid:` stays for inline parts: the UI rewrites it.
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid", "data"})
_DATA_IMAGE = re.compile(r"^data:image/(?:png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]*$", re.I)
_REMOTE_MARK = "sellerdesk-remote:"
_REMOTE_IMG_SRC = re.compile(r'(<img\b[^>]*?)\ssrc="' + re.escape(_REMOTE_MARK) + r'([^"]*)"')


def _attribute_filter(allow_remote_images: bool) -> object:
    def keep(tag: str, attr: str, value: str) -> str | None:
        lowered = value.strip().lower()
        if attr == "href":
            # mailto/tel/http(s) only: a data: link opens attacker HTML in a new tab.
            return None if lowered.startswith(("data:", "cid:")) else value
        if attr != "src":
            return value
        if lowered.startswith("cid:"):
            return value
        if lowered.startswith("data:"):
            return value if tag == "img" and _DATA_IMAGE.match(value.strip()) else None
        if lowered.startswith(("http:", "https:")):
            # The serializer escapes the value; the mark cannot be forged by the sender
            # because an unknown scheme never reaches this filter.
            return value if allow_remote_images else _REMOTE_MARK + value
        return None

    return keep


def sanitize_html(html: str, *, allow_remote_images: bool = False) -> str:
    """Allow-list sanitize mail HTML for display.

    Remote images are blocked unless asked for: the `src` is removed and the URL kept in
    `data-remote-src` so the UI can offer "show images". Links open in a new tab with
    rel="noopener noreferrer nofollow". Relative URLs are dropped: there is no base to
    resolve them against except our own site.
    """
    cleaner = nh3.Cleaner(
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter(allow_remote_images),  # type: ignore[arg-type]
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        tag_attribute_values=_TAG_ATTRIBUTE_VALUES,
        url_schemes=set(_URL_SCHEMES),
        url_relative="deny",
        # Kept so the UI can fold Gmail's quoted history; no other class survives.
        allowed_classes={"div": {"gmail_quote"}, "blockquote": {"gmail_quote"}},
    )
    cleaned = cleaner.clean(html.replace("\x00", ""))
    if allow_remote_images:
        return cleaned
    return _REMOTE_IMG_SRC.sub(r'\1 data-remote-src="\2"', cleaned)


# --- HTML to text ---------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "center", "dd", "div", "dl", "dt", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
        "section", "table", "tr", "ul", "caption", "details", "summary",
    }
)  # fmt: skip
_SKIP_CONTENT = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
_VOID = frozenset(
    {"br", "img", "hr", "meta", "link", "input", "col", "base", "wbr", "area", "source"}
)


def _is_quote_container(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Quoted history as mail clients mark it in HTML (Gmail, Apple Mail, Outlook, Yahoo)."""
    values = {name.lower(): (value or "") for name, value in attrs}
    classes = values.get("class", "").lower().split()
    ident = values.get("id", "").lower()
    if tag == "blockquote" and (
        values.get("type", "").lower() == "cite" or "gmail_quote" in classes
    ):
        return True
    if tag != "div":
        return False
    quote_classes = {"gmail_quote", "moz-cite-prefix", "yahoo_quoted", "gmail_extra"}
    outlook_ids = {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}
    return bool(quote_classes & set(classes)) or ident in outlook_ids or ident.startswith("yiv")


class _TextExtractor(HTMLParser):
    def __init__(self, *, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.drop_quotes = drop_quotes
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []  # (tag, started a skip)
        self.stop = False  # Outlook: everything after the reply separator is history

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if self.stop:
            return
        if tag in _VOID:
            if tag in {"br", "hr"} and not self.skip_depth:
                self.parts.append("\n")
            return
        starts_skip = tag in _SKIP_CONTENT or (self.drop_quotes and _is_quote_container(tag, attrs))
        if self.drop_quotes and tag == "div" and _starts_history(attrs):
            self.stop = True
            return
        self.stack.append((tag, starts_skip))
        if starts_skip:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS and not self.skip_depth:
            self.parts.append("\n")
        elif tag in {"td", "th"} and not self.skip_depth:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() in {"br", "hr"} and not self.skip_depth and not self.stop:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _VOID or self.stop:
            return
        # Pop up to the matching open tag (HTML in mail is often unbalanced).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _, skipped in self.stack[index:]:
                    if skipped:
                        self.skip_depth -= 1
                del self.stack[index:]
                break
        if tag in _BLOCK_TAGS and not self.skip_depth:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and not self.stop:
            self.parts.append(data)


def _starts_history(attrs: list[tuple[str, str | None]]) -> bool:
    # Outlook desktop: <div style="border:none;border-top:solid #E1E1E1 1.0pt;..."> opens
    # the "From: ... Sent: ..." block; id="divRplyFwdMsg" is handled as a container.
    style = "".join((value or "") for name, value in attrs if name.lower() == "style")
    return "border-top:solid #e1e1e1" in style.lower().replace(" ", "")


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """Readable plain text from HTML; with drop_quotes, without the quoted history."""
    parser = _TextExtractor(drop_quotes=drop_quotes)
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return html_lib.unescape(re.sub(r"<[^>]*>", " ", html))
    text = "".join(parser.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_CID_REF = re.compile(r"""\bcid:([^"'\s>)]+)""", re.I)


def referenced_cids(html: str) -> set[str]:
    """Content-IDs the HTML refers to (`cid:` URLs), lowercased."""
    return {match.strip("<>").lower() for match in _CID_REF.findall(html)}
