"""Variables in canned response bodies: ``{visitor.name}``, ``{operator.name|us}``…

A body is checked when it is saved (``parse``: an unknown variable or a stray brace is refused,
naming it) and filled when an operator inserts it (``fill``). A value that is not known falls
back to the text after ``|`` when the body gives one; otherwise the variable is dropped and the
spaces and punctuation around it are tidied ("Hi {visitor.name}, welcome" -> "Hi, welcome"), so
a visitor never sees braces. Braces have no other use in a body, so there is nothing to escape.
Pure functions: no database, no writes.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

VARIABLES = {
    "visitor.name": gettext_lazy("The visitor's name, when your site identified them"),
    "visitor.first_name": gettext_lazy("The first word of the visitor's name"),
    "visitor.email": gettext_lazy("The visitor's email address, when your site identified them"),
    "operator.name": gettext_lazy("Your name, as the visitor sees it"),
    "operator.first_name": gettext_lazy("The first word of your name"),
    "workspace.name": gettext_lazy("The workspace's name"),
    "conversation.number": gettext_lazy("The conversation's number in the inbox"),
}

# A variable ``{name}`` / ``{name|fallback}``, or a brace on its own (an error).
_TOKEN = re.compile(r"\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class Variable:
    name: str
    fallback: str = ""


class BodySyntaxError(ValueError):
    """A body that cannot be filled. ``code`` is ``unknown_variable`` or ``malformed``."""

    def __init__(self, code: str, message: str, variable: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.variable = variable


def variable_list() -> str:
    return ", ".join("{" + name + "}" for name in VARIABLES)


def parse(body: str) -> list[str | Variable]:
    """The body as literal text and variables, in order. Raises ``BodySyntaxError``."""
    parts: list[str | Variable] = []
    position = 0
    for match in _TOKEN.finditer(body):
        if match.start() > position:
            parts.append(body[position : match.start()])
        position = match.end()
        piece = match.group(0)
        if piece == "{":
            if body[match.end() : match.end() + 1] == "{":
                raise BodySyntaxError(
                    "malformed",
                    _("Use single braces around a variable, like {visitor.name}, not “{{…}}”."),
                )
            raise BodySyntaxError(
                "malformed",
                _(
                    "A “{” is not closed. Variables look like {visitor.name}; braces cannot be "
                    "used on their own."
                ),
            )
        if piece == "}":
            raise BodySyntaxError(
                "malformed",
                _(
                    "A “}” has no opening “{”. Variables look like {visitor.name}; braces cannot "
                    "be used on their own."
                ),
            )
        name, _bar, fallback = match.group(1).partition("|")
        name = name.strip().lower()
        if not name:
            raise BodySyntaxError(
                "malformed",
                _("Empty braces: put a variable name inside, like {visitor.name}."),
            )
        if name not in VARIABLES:
            shown = match.group(1).partition("|")[0].strip()[:60]
            raise BodySyntaxError(
                "unknown_variable",
                _("“{%(name)s}” is not a variable. You can use: %(variables)s.")
                % {"name": shown, "variables": variable_list()},
                variable=shown,
            )
        parts.append(Variable(name, " ".join(fallback.split())))
    if position < len(body):
        parts.append(body[position:])
    return parts


def variables_used(body: str) -> set[str]:
    return {part.name for part in parse(body) if isinstance(part, Variable)}


# --- Filling ---------------------------------------------------------------------------------

_DROP = "\x00"
# A dropped variable (several in a row count as one) with the spaces around it.
_GAP = re.compile(r"[ \t]*\x00(?:[ \t]*\x00)*[ \t]*")
_PAIRS = [("(", ")"), ("[", "]"), ("“", "”"), ('"', '"'), ("«", "»"), ("'", "'")]
_EMPTY_PAIRS = [
    re.compile(re.escape(left) + r"[ \t]*\x00(?:[ \t]*\x00)*[ \t]*" + re.escape(right))
    for left, right in _PAIRS
]
_CLOSING = set(",.!?;:)]”»…")
_OPENING = set("([“«")


def _capitalize(text: str, language: str) -> str:
    if not text or not text[0].isalpha() or not text[0].islower():
        return text
    first = "İ" if language == "tr" and text[0] == "i" else text[0].upper()
    return first + text[1:]


def _tidy(text: str, language: str) -> str:
    """Remove the drop markers, mending the spaces and punctuation they leave behind."""
    for pattern in _EMPTY_PAIRS:  # "({visitor.email})" with no email: drop the brackets too
        text = pattern.sub(_DROP, text)
    while True:
        gap = _GAP.search(text)
        if gap is None:
            return text
        before, after = text[: gap.start()], text[gap.end() :]
        prev, nxt = before[-1:], after[:1]
        spaced_before = gap.group(0)[:1] in (" ", "\t")
        line_start = prev in ("", "\n")
        sentence_start = prev in (".", "!", "?") and spaced_before
        if line_start or sentence_start:
            # "{visitor.name}, your order shipped." -> "Your order shipped."
            after = re.sub(r"^[,;:!][ \t]*", "", after)
            after = _capitalize(after, language)
            lead = "" if line_start or after[:1] in ("", "\n") else " "
            text = before + lead + after
        elif nxt in ("", "\n") or prev in _OPENING:
            text = before + after  # "Thanks {operator.name}" -> "Thanks"
        elif nxt in _CLOSING:
            if prev in (",", ";", ":"):  # "Hi, {visitor.name}!" -> "Hi!"
                before = before[:-1]
            text = before + after  # "Hi {visitor.name}, welcome" -> "Hi, welcome"
        else:
            text = before + " " + after  # "Your email {visitor.email} is" -> "Your email is"


def fill(body: str, values: dict[str, str], *, language: str = "") -> str:
    """``body`` with its variables filled from ``values`` (name -> text; empty = unknown)."""
    out: list[str] = []
    dropped = False
    for part in parse(body):
        if isinstance(part, str):
            out.append(part.replace(_DROP, ""))
            continue
        value = " ".join(str(values.get(part.name) or "").replace(_DROP, "").split())
        if value:
            out.append(value)
        elif part.fallback:
            out.append(part.fallback)
        else:
            out.append(_DROP)
            dropped = True
    text = "".join(out)
    if dropped:
        text = _tidy(text, language)
    return text.strip()
