"""Automation rules in a conversation, through the one message path and the event stream (real
PostgreSQL; handlers run after commit): what the visitor and the team see when a rule fires,
what it refuses to save, and how it keeps out of loops."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from apps.automation import services, tasks
from apps.automation.conditions import RuleError
from apps.conversations.models import Conversation
from tests.automation.helpers import Workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def contains(text):
    return {"match": "all", "items": [{"field": "text", "op": "contains", "value": text}]}


def test_a_visitor_message_with_a_word_labels_the_chat_and_the_bot_answers_in_their_language():
    ws = Workspace()
    rule = ws.rule(
        name="Returns",
        trigger="visitor_message",
        conditions=contains("iade"),
        actions=[
            {"type": "label_add", "label": ws.label("iade")},
            {"type": "assign", "to": "team", "value": ws.team.pk},
            {
                "type": "send_message",
                "text": {"en": "Returns take 30 days.", "tr": "İadeler 30 gün sürer."},
            },
        ],
    )
    ws.writes("merhaba")
    assert ws.label_names() == set()
    ws.writes("Bu ürünü İADE edebilir miyim?")  # Turkish capitals, a word among others
    assert ws.label_names() == {"iade"}
    assert ws.fresh().team_id == ws.team.pk
    [sent] = ws.messages("bot")
    assert sent.body == "İadeler 30 gün sürer."
    # The rule's own message fires no rule on visitor messages: it fired once.
    rule = ws.fresh_rule(rule)
    assert rule.fired_count == 1 and rule.last_fired_at is not None
    [firing] = ws.firings(rule)
    assert firing.conversation_id == ws.conversation.pk
    assert firing.done == [{"type": "label_add"}, {"type": "assign"}, {"type": "send_message"}]
    assert firing.error == ""


def test_contains_is_word_aware_and_matches_text_typed_without_turkish_letters():
    ws = Workspace()
    ws.rule(
        trigger="visitor_message",
        conditions=contains("sipariş iptal"),
        actions=[{"type": "label_add", "label": ws.label("a")}],
    )
    ws.writes("siparişiptal olmuyor")  # not the two words
    assert ws.label_names() == set()
    ws.writes("SIPARIS IPTAL etmek istiyorum")
    assert ws.label_names() == {"a"}


def test_conditions_on_the_visitor_any_group_and_numbers():
    ws = Workspace()
    ws.rule(
        name="VIP",
        trigger="conversation_created",
        conditions={
            "match": "all",
            "items": [
                {"field": "language", "op": "is", "value": "tr"},
                {
                    "match": "any",
                    "items": [
                        {"field": "attribute", "name": "plan", "op": "equals", "value": "Gold"},
                        {"field": "attribute", "name": "spent", "op": "gt", "value": "1000"},
                    ],
                },
            ],
        },
        actions=[{"type": "label_add", "label": ws.label("VIP")}],
    )
    from apps.visitors.services import visitor_set_attributes

    with scope(tenant=ws.tenant):
        visitor_set_attributes(visitor=ws.visitor, attributes={"plan": "silver", "spent": "999.5"})
    ws.writes("selam")
    assert ws.label_names() == set()

    rich = ws.new_visitor()
    with scope(tenant=ws.tenant):
        visitor_set_attributes(visitor=rich, attributes={"plan": "silver", "spent": 1500})
    ws.writes("selam", visitor=rich)
    assert ws.label_names() == {"VIP"}

    english = ws.new_visitor(language="en-GB")
    with scope(tenant=ws.tenant):
        visitor_set_attributes(visitor=english, attributes={"plan": "GOLD"})
    ws.writes("hello", visitor=english)
    assert ws.label_names() == set()  # not Turkish


def test_rules_that_feed_each_other_stop_after_a_few_steps():
    ws = Workspace()
    a, b = ws.label("a"), ws.label("b")
    ping = ws.rule(
        name="ping",
        trigger="label_added",
        conditions={"match": "all", "items": [{"field": "label", "op": "has", "value": a}]},
        actions=[{"type": "label_remove", "label": a}, {"type": "label_add", "label": b}],
    )
    pong = ws.rule(
        name="pong",
        trigger="label_added",
        conditions={"match": "all", "items": [{"field": "label", "op": "has", "value": b}]},
        actions=[{"type": "label_remove", "label": b}, {"type": "label_add", "label": a}],
    )
    ws.writes("hi")
    from apps.conversations import services as conversation_services

    with scope(tenant=ws.tenant):
        conversation_services.conversation_label(
            membership=ws.admin, conversation=ws.conversation, add=[a]
        )
    fired = len(ws.firings(ping)) + len(ws.firings(pong))
    assert 1 <= fired <= services.MAX_DEPTH
    assert len(ws.label_names()) == 1  # the chat is left with one of the two, not spinning


def test_a_failing_action_is_recorded_and_the_others_still_run():
    ws = Workspace()
    rule = ws.rule(
        name="On resolve",
        trigger="status_changed",
        conditions={
            "match": "all",
            "items": [{"field": "status", "op": "is", "value": "resolved"}],
        },
        actions=[
            {"type": "note", "text": "Resolved by the team."},  # refused: the chat is resolved
            {"type": "label_add", "label": ws.label("b")},
        ],
    )
    ws.writes("hello")
    from apps.conversations import services as conversation_services

    with scope(tenant=ws.tenant):
        conversation_services.conversation_resolve(
            membership=ws.admin, conversation=ws.conversation
        )
    [firing] = ws.firings(rule)
    assert firing.done == [{"type": "note", "failed": True}, {"type": "label_add"}]
    assert "Reopen it to add a note" in firing.error
    assert ws.label_names() == {"b"}
    assert ws.fresh().status == Conversation.Status.RESOLVED


def test_a_rule_note_says_which_rule_wrote_it():
    ws = Workspace()
    ws.rule(
        name="Heads-up",
        trigger="operator_message",
        actions=[{"type": "note", "text": "Check the order number."}],
    )
    ws.writes("hello")
    ws.operator_writes("Merhaba, nasıl yardımcı olabilirim?")
    [note] = ws.notes()
    assert note.actor_id is None
    assert note.body == "Check the order number."
    assert note.data["by"] == "Heads-up"


def test_no_reply_for_some_minutes_fires_once_per_wait():
    ws = Workspace()
    rule = ws.rule(
        name="Nudge",
        trigger="no_reply",
        trigger_value=5,
        actions=[{"type": "send_message", "text": {"tr": "Ekibimiz birazdan burada."}}],
    )
    ws.writes("kimse var mı")
    tasks.silences()
    assert ws.messages("bot") == []  # not five minutes yet
    with scope(tenant=ws.tenant):
        Conversation.objects.filter(pk=ws.conversation.pk).update(
            waiting_since=timezone.now() - timedelta(minutes=6)
        )
    tasks.silences()
    tasks.silences()
    assert [m.body for m in ws.messages("bot")] == ["Ekibimiz birazdan burada."]
    assert len(ws.firings(rule)) == 1
    ws.operator_writes("Buradayım!")  # the wait is over
    tasks.silences()
    assert len(ws.firings(rule)) == 1


def test_a_workspace_rule_never_fires_in_another_workspace():
    ours, theirs = Workspace(name="Ours"), Workspace(name="Theirs")
    ours.rule(trigger="visitor_message", actions=[{"type": "label_add", "label": ours.label("a")}])
    theirs.writes("hello")
    assert theirs.label_names() == set()
    assert ours.firings() == [] and theirs.firings() == []
    ours.writes("hello")
    assert ours.label_names() == {"a"}


def test_a_pattern_that_would_backtrack_for_ever_just_does_not_match():
    ws = Workspace()
    ws.rule(
        trigger="visitor_message",
        conditions={
            "match": "all",
            "items": [{"field": "text", "op": "matches", "value": r"^(a+)+$"}],
        },
        actions=[{"type": "label_add", "label": ws.label("a")}],
    )
    started = time.monotonic()
    ws.writes("a" * 40 + "!")
    assert time.monotonic() - started < 5  # would take far longer than the test run otherwise
    assert ws.label_names() == set()
    ws.writes("aaaa")
    assert ws.label_names() == {"a"}


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ({"trigger": "sometimes"}, "trigger", "Choose when the rule runs"),
        ({"trigger": "no_reply", "trigger_value": 0}, "trigger_value", "whole number from 1"),
        (
            {"conditions": {"match": "all", "items": [{"field": "shoe_size", "op": "is"}]}},
            "conditions.0.field",
            "Unknown condition",
        ),
        (
            {
                "conditions": {
                    "match": "all",
                    "items": [{"field": "page", "op": "matches", "value": "(unclosed"}],
                }
            },
            "conditions.0.value",
            "Not a valid pattern",
        ),
        (
            {
                "conditions": {
                    "match": "all",
                    "items": [{"field": "text", "op": "matches", "value": "a" * 201}],
                }
            },
            "conditions.0.value",
            "200 characters at most",
        ),
        (
            {
                "conditions": {
                    "match": "any",
                    "items": [{"match": "all", "items": [{"match": "all", "items": []}]}],
                }
            },
            "conditions.0.0",
            "one level deep",
        ),
        ({"actions": []}, "actions", "at least one action"),
        (
            {"actions": [{"type": "assign", "to": "team", "value": 999999}]},
            "actions.0.value",
            "team of this workspace",
        ),
        (
            {"actions": [{"type": "send_message", "text": {"de": "Hallo"}}]},
            "actions.0.text.de",
            "Unknown language",
        ),
    ],
)
def test_a_bad_definition_is_refused_naming_the_field(data, where, message):
    ws = Workspace()
    rule = {"name": "Bad", "trigger": "visitor_message", "actions": [{"type": "note", "text": "x"}]}
    rule.update(data)
    with pytest.raises(RuleError) as refused:
        ws.rule(**rule)
    assert refused.value.where == where
    assert message in refused.value.message
    assert ws.firings() == []


def test_a_label_of_another_workspace_cannot_be_used():
    ours, theirs = Workspace(name="Ours"), Workspace(name="Theirs")
    with pytest.raises(RuleError) as refused:
        ours.rule(
            trigger="visitor_message", actions=[{"type": "label_add", "label": theirs.label("a")}]
        )
    assert refused.value.where == "actions.0.label"
