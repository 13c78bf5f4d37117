"""Variables in canned bodies: filled when known, fallbacks, tidy drops, bad syntax refused."""

import pytest

from apps.canned.variables import BodySyntaxError, fill, parse, variables_used

KNOWN = {
    "visitor.name": "Jane Doe",
    "visitor.first_name": "Jane",
    "visitor.email": "jane@example.com",
    "operator.name": "Ayşe Yılmaz",
    "operator.first_name": "Ayşe",
    "workspace.name": "Lale Çiçekçilik",
    "conversation.number": "42",
}
ANONYMOUS = {**KNOWN, "visitor.name": "", "visitor.first_name": "", "visitor.email": ""}


def test_every_variable_is_filled_when_known():
    body = (
        "Hi {visitor.first_name} ({visitor.name}, {visitor.email}). I'm {operator.first_name} "
        "— {operator.name} at {workspace.name}; your chat is #{conversation.number}."
    )
    assert fill(body, KNOWN) == (
        "Hi Jane (Jane Doe, jane@example.com). I'm Ayşe — Ayşe Yılmaz at Lale Çiçekçilik; "
        "your chat is #42."
    )


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Hi {visitor.name}, how can I help?", "Hi, how can I help?"),
        ("Hello {visitor.name}!", "Hello!"),
        ("Hi, {visitor.first_name}!", "Hi!"),
        ("{visitor.first_name}, thanks for waiting.", "Thanks for waiting."),
        ("Thanks. {visitor.name}, your order shipped.", "Thanks. Your order shipped."),
        ("We will write to {visitor.email} today.", "We will write to today."),
        ("Dear {visitor.name} ({visitor.email}), welcome.", "Dear, welcome."),
        ("Thanks {visitor.name}\nBye", "Thanks\nBye"),
        ("Hi {visitor.name} {visitor.email}, hello", "Hi, hello"),
        ("{visitor.name}", ""),
        ("Merhaba {visitor.name}! {visitor.first_name} iyi günler.", "Merhaba! İyi günler."),
    ],
)
def test_unknown_values_are_dropped_and_the_sentence_tidied(body, expected):
    result = fill(body, ANONYMOUS, language="tr" if "Merhaba" in body else "en")
    assert result == expected
    assert "{" not in result and "}" not in result and "  " not in result


def test_explicit_fallbacks_apply_only_when_the_value_is_missing():
    body = "Hi {visitor.first_name|there}, this is {operator.name|the team}."
    assert fill(body, ANONYMOUS) == "Hi there, this is Ayşe Yılmaz."
    assert fill(body, KNOWN) == "Hi Jane, this is Ayşe Yılmaz."
    assert fill("Hi {visitor.name|}!", ANONYMOUS) == "Hi!"  # an empty fallback drops it


def test_values_are_inserted_as_text_not_parsed_again():
    assert fill("Hi {visitor.name}", {**KNOWN, "visitor.name": "{operator.name}"}) == (
        "Hi {operator.name}"
    )


def test_names_are_forgiving_about_case_and_spaces():
    assert variables_used("{ Visitor.Name | pal } {workspace.name}") == {
        "visitor.name",
        "workspace.name",
    }


@pytest.mark.parametrize(
    "body, code, named",
    [
        ("Your phone is {visitor.phone}", "unknown_variable", "{visitor.phone}"),
        ("Hi {name}", "unknown_variable", "{name}"),
        ("Price: {price|free}", "unknown_variable", "{price}"),
        ("Hi { visitor.name", "malformed", "{"),
        ("Smile :}", "malformed", "}"),
        ("Hi {}", "malformed", "{visitor.name}"),
        ("Hi {{visitor.name}}", "malformed", "single braces"),
        ("Hi {visitor.name|{operator.name}}", "malformed", "{"),
    ],
)
def test_bad_variables_are_refused_with_a_message_naming_them(body, code, named):
    with pytest.raises(BodySyntaxError) as caught:
        parse(body)
    assert caught.value.code == code
    assert named in caught.value.message
    if code == "unknown_variable":
        assert "{visitor.name}" in caught.value.message  # and says what is allowed
