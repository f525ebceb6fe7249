"""The forms of an HTML page, read the way a browser reads them, for `sellerdesk demo --check`.

The demo check clicks through the product over HTTP as a new user would: it submits the forms
the pages render (with their hidden fields: the CSRF token, the conversation `version` the
reply guard compares, the order's content hash of a refund review), changing only what a user
would type or choose. Reading the fields from the page, rather than writing them into the
check, is what makes a form that lost a field, or a page that lost a form, fail the check.

Only what the demo's pages use: inputs, selects, textareas and submit buttons; no nested
forms (HTML has none), no JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Input types a browser sends as typed (or as rendered, when nobody typed anything).
_TEXT_TYPES = frozenset(
    {
        "",
        "text",
        "hidden",
        "search",
        "number",
        "email",
        "url",
        "tel",
        "password",
        "date",
        "time",
        "datetime-local",
    }
)


@dataclass
class Form:
    """One <form>: where it posts and what a browser would send from it untouched."""

    attrs: dict[str, str]
    # Successful controls in document order (name, value): what the browser sends before the
    # user changes anything. Submit buttons are apart: only the one clicked is sent.
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    # Every option of each select, so a check can choose among what the page offers.
    options: dict[str, list[str]] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return self.attrs.get("action", "")

    @property
    def method(self) -> str:
        return self.attrs.get("method", "get").lower()

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def data(
        self, changes: dict[str, str] | None = None, button: tuple[str, str] | None = None
    ) -> list[tuple[str, str]]:
        """What the browser posts after the user set `changes` (field name -> value; a
        name the form lacks is added, as typing into a field would) and clicked `button`."""
        changes = dict(changes or {})
        sent = [(key, changes.pop(key, value)) for key, value in self.fields]
        sent += list(changes.items())
        if button is not None:
            if button not in self.buttons:
                raise ValueError(f"the form has no button {button!r}; it has {self.buttons!r}")
            sent.append(button)
        return sent


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._option: dict[str, str | None] | None = None
        self._option_text: list[str] = []
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self._form = Form(found)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in found:
            return
        name = found.get("name", "")
        if tag == "input":
            kind = found.get("type", "").lower()
            if kind in ("submit", "image"):
                if name:
                    form.buttons.append((name, found.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if name and "checked" in found:
                    form.fields.append((name, found.get("value", "on")))
            elif kind in _TEXT_TYPES and name:
                form.fields.append((name, found.get("value", "")))
        elif tag == "button":
            if found.get("type", "submit").lower() == "submit" and name:
                form.buttons.append((name, found.get("value", "")))
        elif tag == "select" and name:
            self._select, self._selected, self._first_option = name, None, None
            form.options[name] = []
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = {"value": found.get("value"), "selected": found.get("selected")}
            self._option_text = []
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, []

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text.append(data)
        if self._textarea is not None:
            self._textarea_text.append(data)

    def _close_option(self) -> None:
        if self._option is None or self._select is None or self._form is None:
            return
        given = self._option["value"]
        value = given if given is not None else "".join(self._option_text).strip()
        self._form.options[self._select].append(value)
        if self._first_option is None:
            self._first_option = value
        if self._option["selected"] is not None:
            self._selected = value
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._close_option()
            # A select with nothing selected sends its first option, as a browser does.
            chosen = self._selected if self._selected is not None else self._first_option
            if chosen is not None:
                self._form.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # The parser keeps the newline that follows <textarea>; browsers drop it.
            text = "".join(self._textarea_text)
            self._form.fields.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    """Every form of the page, in document order."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms
