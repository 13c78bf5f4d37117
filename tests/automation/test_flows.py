"""Decision-tree flows in a conversation, through the one message path and the event stream
(real PostgreSQL; handlers run after commit): buttons and questions, what the team sees at the
handoff, typing instead of pressing, versions, and refused definitions."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from apps.automation import services
from apps.automation.conditions import RuleError
from apps.automation.models import FlowRun
from apps.automation.services import flows as flow_services
from apps.conversations.services import presence_connect
from apps.visitors.models import Visitor
from tests.automation.helpers import Workspace
from tests.utils import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def returns_flow(ws, *, welcome="Nasıl yardımcı olabiliriz?"):
    return {
        "start": "welcome",
        "steps": [
            {
                "id": "welcome",
                "type": "buttons",
                "text": {"tr": welcome, "en": "How can we help?"},
                "buttons": [
                    {"label": {"tr": "Sipariş durumu", "en": "Order status"}, "next": "order"},
                    {"label": {"tr": "İade", "en": "Returns"}, "next": "email"},
                    {
                        "label": {"tr": "Bir kişiyle konuş", "en": "Talk to a person"},
                        "next": "person",
                    },
                ],
            },
            {
                "id": "order",
                "type": "input",
                "kind": "number",
                "attribute": "order_number",
                "text": {"tr": "Sipariş numaranız nedir?", "en": "Your order number?"},
                "next": "thanks",
            },
            {"id": "thanks", "type": "end", "text": {"tr": "Teşekkürler!", "en": "Thank you!"}},
            {
                "id": "email",
                "type": "input",
                "kind": "email",
                "attribute": "email",
                "text": {"tr": "E-posta adresiniz?", "en": "Your email address?"},
                "next": "date",
            },
            {
                "id": "date",
                "type": "input",
                "kind": "date",
                "attribute": "purchase_date",
                "text": {"tr": "Ne zaman satın aldınız?", "en": "When did you buy it?"},
                "next": "person",
            },
            {
                "id": "person",
                "type": "handoff",
                "team": ws.team.pk,
                "text": {"tr": "Sizi ekibe aktarıyorum.", "en": "Passing you to the team."},
            },
        ],
    }


def published(ws, definition=None, key="returns"):
    with scope(tenant=ws.tenant):
        flow = services.flow_save(
            tenant_id=ws.tenant.pk,
            data={"key": key, "name": "Returns", "definition": definition or returns_flow(ws)},
        )
        services.flow_publish(flow=flow)
    ws.rule(
        name="Welcome flow",
        trigger="conversation_created",
        actions=[{"type": "start_flow", "flow": key}],
    )
    return flow


def choose(ws, message, label):
    [choice] = [c for c in message.content["flow"]["choices"] if c["label"] == label]
    with scope(tenant=ws.tenant):
        return services.flow_choose(
            visitor=ws.visitor, frame={"message": message.pk, "choice": choice["id"]}
        )


def bodies(ws):
    return [m.body for m in ws.messages("bot")]


NOBODY_THERE = (
    "Şu anda ekipten kimse müsait değil. E-posta adresinizi bırakın, size e-postayla yanıt verelim."
)


def someone_online(ws):
    with scope(tenant=ws.tenant):
        presence_connect(membership=ws.admin)


def test_a_visitor_goes_through_buttons_and_questions_and_the_team_gets_the_answers():
    ws = Workspace()
    someone_online(ws)
    published(ws)
    ws.writes("merhaba")
    [welcome] = ws.messages("bot")
    assert welcome.body == "Nasıl yardımcı olabiliriz?"  # the visitor's language
    assert [c["label"] for c in welcome.content["flow"]["choices"]] == [
        "Sipariş durumu",
        "İade",
        "Bir kişiyle konuş",
    ]
    conversation = ws.fresh()
    assert conversation.bot_holds and conversation.waiting_since is None  # nobody waits yet

    assert choose(ws, welcome, "İade") == {"type": "choice", "message": welcome.pk}
    assert ws.messages("visitor")[-1].body == "İade"  # the press, as the visitor's answer
    assert bodies(ws)[-1] == "E-posta adresiniz?"
    ws.writes("ayse at example")
    assert bodies(ws)[-1] == "Bu bir e-posta adresine benzemiyor. Lütfen yeniden yazın."
    ws.writes("Ayse@Example.com")
    assert bodies(ws)[-1] == "Ne zaman satın aldınız?"
    ws.writes("05.11.2026")
    assert bodies(ws)[-1] == "Sizi ekibe aktarıyorum."

    conversation = ws.fresh()
    assert not conversation.bot_holds and conversation.waiting_since is not None
    assert conversation.team_id == ws.team.pk
    [note] = ws.notes()
    assert note.body == (
        "What the visitor entered:\n• How can we help? İade\n"
        "• Your email address? ayse@example.com\n• When did you buy it? 2026-11-05"
    )
    assert note.data["by"] == "Returns"
    with scope(tenant=ws.tenant):
        visitor = Visitor.objects.get(pk=ws.visitor.pk)
        [run] = FlowRun.objects.all()
    assert visitor.attributes == {"email": "ayse@example.com", "purchase_date": "2026-11-05"}
    assert run.state == "handed_off"


def test_a_handoff_when_nobody_can_answer_says_the_answer_comes_by_email():
    ws = Workspace()  # nobody online: the step's "Sizi ekibe aktarıyorum." would promise a person
    published(ws)
    ws.writes("merhaba")
    [welcome] = ws.messages("bot")
    choose(ws, welcome, "Bir kişiyle konuş")
    assert bodies(ws)[-1] == NOBODY_THERE
    conversation = ws.fresh()
    assert not conversation.bot_holds and conversation.team_id == ws.team.pk


def test_typing_instead_of_pressing_gets_a_repeat_then_a_person():
    ws = Workspace()
    published(ws)
    ws.writes("merhaba")
    ws.writes("kargom nerede")
    assert bodies(ws)[-1] == "Lütfen bunlardan birini seçin:"  # the visitor's language
    assert len(ws.messages("bot")[-1].content["flow"]["choices"]) == 3
    assert ws.fresh().bot_holds
    ws.writes("sadece söyleyin")
    conversation = ws.fresh()
    assert not conversation.bot_holds  # no knowledge base here: to a person
    assert bodies(ws)[-1] == NOBODY_THERE  # told what happens next
    [note] = ws.notes()
    assert note.body == "The visitor did not pick one of the buttons."


@pytest.mark.parametrize(
    "typed",
    ["iade", "IADE", "iade lütfen", "İadee", "2"],
    ids=["folded", "upper-case", "with-a-word", "a-slip", "its-number"],
)
def test_typing_a_buttons_words_or_number_takes_that_button(typed):
    ws = Workspace()
    published(ws)
    ws.writes("merhaba")
    ws.writes(typed)
    assert bodies(ws)[-1] == "E-posta adresiniz?"  # the "İade" button's next step
    assert ws.fresh().bot_holds


def test_a_number_past_the_last_button_is_asked_again():
    ws = Workspace()
    published(ws)
    ws.writes("merhaba")
    ws.writes("4")
    assert bodies(ws)[-1] == "Lütfen bunlardan birini seçin:"


@pytest.mark.parametrize(
    "typed", ["canlı desteğe bağlanmak istiyorum", "can I talk to someone please"]
)
def test_asking_for_a_person_instead_of_pressing_hands_over_at_once(typed):
    ws = Workspace()
    someone_online(ws)
    published(ws)
    ws.writes("merhaba")
    ws.writes(typed)
    assert bodies(ws)[-1] == "Sizi ekibe aktarıyorum. Birazdan biri sizinle ilgilenecek."
    conversation = ws.fresh()
    assert not conversation.bot_holds and conversation.waiting_since is not None
    [note] = ws.notes()
    assert note.body == "The visitor asked for a person."
    with scope(tenant=ws.tenant):
        assert FlowRun.objects.get().state == "handed_off"


def test_a_pressed_button_of_an_earlier_question_changes_nothing():
    ws = Workspace()
    published(ws)
    ws.writes("merhaba")
    [welcome] = ws.messages("bot")
    choose(ws, welcome, "Sipariş durumu")
    with pytest.raises(flow_services.FlowError) as late:
        choose(ws, welcome, "İade")
    assert late.value.code == "too_late"
    ws.writes("12345")
    assert bodies(ws)[-1] == "Teşekkürler!"
    with scope(tenant=ws.tenant):
        assert FlowRun.objects.get().state == "done"


def test_a_conversation_inside_a_version_finishes_with_it_after_a_new_one_is_published():
    ws = Workspace()
    flow = published(ws)
    ws.writes("merhaba")
    [welcome] = ws.messages("bot")
    changed = returns_flow(ws, welcome="Merhaba! Ne lazım?")
    changed["steps"][0]["buttons"] = [{"label": {"tr": "Bitir"}, "next": "thanks"}]
    with scope(tenant=ws.tenant):
        flow = services.flow_save(
            tenant_id=ws.tenant.pk,
            data={"key": "returns", "name": "Returns", "definition": changed},
            flow=flow,
        )
        assert services.flow_publish(flow=flow).number == 2
    choose(ws, welcome, "İade")  # version 1's button, version 1's next step
    assert bodies(ws)[-1] == "E-posta adresiniz?"

    other = Workspace.__new__(Workspace)
    other.__dict__.update(ws.__dict__)
    other.visitor = ws.new_visitor()
    other.writes("selam")
    assert other.messages("bot")[0].body == "Merhaba! Ne lazım?"  # a new one starts version 2


def test_the_bot_waits_while_a_flow_talks_and_answers_after():
    from apps.bot import services as bot_services
    from tests.bot.helpers import KB, _json

    ws = Workspace()
    with scope(tenant=ws.tenant):
        bot_services.entries_import(tenant_id=ws.tenant.pk, raw=_json(KB), kind="json")
        bot_services.bot_settings_update(tenant_id=ws.tenant.pk, mode="always", name="Lale")
    published(ws)
    ws.writes("siparişim nerede")
    assert bodies(ws) == ["Nasıl yardımcı olabiliriz?"]  # the flow, not the knowledge base
    choose(ws, ws.messages("bot")[0], "Sipariş durumu")
    ws.writes("777")
    assert bodies(ws)[-1] == "Teşekkürler!"
    ws.writes("siparişim nerede")  # the flow is over: the bot answers again
    assert bodies(ws)[-1] == "Kargo takip bağlantısı kargo e-postasında."


def test_a_person_who_answers_stops_the_flow():
    ws = Workspace()
    published(ws)
    ws.writes("merhaba")
    ws.operator_writes("Merhaba, ben Ayşe. Nasıl yardımcı olabilirim?")
    ws.writes("İade")  # typed to the person, not an answer to the flow's buttons
    assert bodies(ws) == ["Nasıl yardımcı olabiliriz?"]
    with scope(tenant=ws.tenant):
        assert FlowRun.objects.get().state == "stopped"
    assert not ws.fresh().bot_holds


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda d: d["steps"][1].update(next="nowhere"), "steps.1.next", "Choose the step"),
        (lambda d: d["steps"][2].update(id="order"), "steps.2.id", "Two steps have the id"),
        (lambda d: d["steps"][1].update(kind="shoe"), "steps.1.kind", "what kind of answer"),
        (
            lambda d: d["steps"].append(
                {
                    "id": "hook",
                    "type": "webhook",
                    "url": "http://127.0.0.1/x",
                    "next": "thanks",
                    "else": "person",
                }
            ),
            "steps.6.url",
            "does not call this address",
        ),
        (lambda d: d["steps"][0].update(buttons=[]), "steps.0.buttons", "Give 1 to 10 buttons"),
        (lambda d: d.update(start="elsewhere"), "start", "must start at one of its steps"),
    ],
)
def test_a_bad_flow_is_refused_whole_naming_the_field(change, where, message):
    ws = Workspace()
    definition = returns_flow(ws)
    change(definition)
    with scope(tenant=ws.tenant), pytest.raises(RuleError) as refused:
        services.flow_save(
            tenant_id=ws.tenant.pk,
            data={"key": "returns", "name": "Returns", "definition": definition},
        )
    assert refused.value.where == where
    assert message in refused.value.message


class HookServer:
    """A webhook receiver on 127.0.0.1 that answers each POST with ``status`` and keeps it;
    ``release`` cleared, it holds its answer until the test sets it."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.status = 200
        self.received: list[dict] = []
        self.arrived = threading.Event()  # a call came in
        self.release = threading.Event()  # answer it (set: at once)
        self.release.set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                server.received.append(json.loads(self.rfile.read(length) or b"null"))
                server.arrived.set()
                server.release.wait(10)
                self.send_response(server.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def lookup_flow(hook, *, ask_order: bool = True) -> dict:
    """Asks for an order number (``ask_order``), then calls ``hook``: "Kaydınız alındı." on a
    2xx answer, "Şu an olmadı." otherwise."""
    ask = {
        "id": "order",
        "type": "input",
        "kind": "number",
        "attribute": "order_number",
        "text": {"tr": "Sipariş numaranız?"},
        "next": "hook",
    }
    return {
        "start": "order" if ask_order else "hook",
        "steps": [
            *([ask] if ask_order else []),
            {"id": "hook", "type": "webhook", "url": hook.url, "next": "ok", "else": "no"},
            {"id": "ok", "type": "end", "text": {"tr": "Kaydınız alındı."}},
            {"id": "no", "type": "end", "text": {"tr": "Şu an olmadı."}},
        ],
    }


@pytest.mark.parametrize(("status", "said"), [(200, "Kaydınız alındı."), (500, "Şu an olmadı.")])
def test_a_webhook_step_posts_the_answers_and_branches_on_the_reply(settings, status, said):
    settings.OUTBOUND_ALLOW_LOOPBACK = True  # the tests' own server on loopback
    hook = HookServer()
    hook.status = status
    try:
        ws = Workspace()
        published(ws, lookup_flow(hook), key="lookup")
        ws.writes("merhaba")
        ws.writes("4242")
        assert bodies(ws)[-1] == said
        [sent] = hook.received
        assert sent == {
            "flow": "lookup",
            "step": "hook",
            "conversation": ws.fresh().number,
            "answers": {"order": "4242"},
        }
    finally:
        hook.close()


def test_a_slow_webhook_holds_up_nothing_and_the_flow_goes_on_when_it_answers(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    hook = HookServer()
    hook.release.clear()  # the server takes its time
    try:
        ws = Workspace()
        published(ws, lookup_flow(hook, ask_order=False), key="lookup")

        def writes(body):  # as another web process would, on its own connection
            try:
                ws.writes(body)
            finally:
                connection.close()

        first = threading.Thread(target=writes, args=("merhaba",))
        first.start()  # the flow starts and calls the server, which does not answer yet
        assert hook.arrived.wait(10)
        # Meanwhile the conversation takes the visitor's next message at once.
        wrote = threading.Thread(target=writes, args=("orada mısınız?",))
        wrote.start()
        wrote.join(5)
        assert not wrote.is_alive()
        assert [m.body for m in ws.messages("visitor")] == ["merhaba", "orada mısınız?"]
        assert bodies(ws) == []  # the flow waits for the server, and says nothing yet
        hook.release.set()
        first.join(10)
        assert bodies(ws) == ["Kaydınız alındı."]
        assert len(hook.received) == 1  # the message meanwhile did not call it again
    finally:
        hook.release.set()
        hook.close()


def test_a_real_worker_makes_the_webhook_call_and_the_flow_goes_on(settings, celery_worker):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    hook = HookServer()
    try:
        ws = Workspace()
        published(ws, lookup_flow(hook, ask_order=False), key="lookup")
        ws.writes("merhaba")  # the rule, the flow and the call all run in the worker
        wait_for(lambda: bodies(ws) == ["Kaydınız alındı."], timeout=20)
        assert [sent["step"] for sent in hook.received] == ["hook"]
    finally:
        hook.close()


def test_a_webhook_call_that_was_lost_is_made_again_on_the_visitors_next_message(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    hook = HookServer()
    try:
        ws = Workspace()
        published(ws, lookup_flow(hook), key="lookup")
        ws.writes("merhaba")
        # The run reached the webhook a while ago, and the job that should have called it never
        # ran (no worker took it).
        with scope(tenant=ws.tenant):
            FlowRun.objects.update(
                step="hook", waiting=True, updated_at=timezone.now() - datetime.timedelta(minutes=5)
            )
        ws.writes("hala bekliyorum")
        assert bodies(ws)[-1] == "Kaydınız alındı."
        assert len(hook.received) == 1
    finally:
        hook.close()


def test_a_flow_the_visitor_picks_is_not_replaced_by_a_rule_for_new_chats():
    ws = Workspace()
    published(ws)  # a rule starts "returns" in every new chat
    with scope(tenant=ws.tenant):
        other = services.flow_save(
            tenant_id=ws.tenant.pk,
            data={
                "key": "hours",
                "name": "Hours",
                "welcome_label": {"tr": "Çalışma saatleri", "en": ""},
                "definition": {
                    "steps": [{"id": "say", "type": "end", "text": {"tr": "09:00-18:00 açığız."}}]
                },
            },
        )
        services.flow_publish(flow=other)
        assert other.welcome_label == {"tr": "Çalışma saatleri"}
        answer = flow_services.flow_start_for_visitor(visitor=ws.visitor, key="hours")
    assert answer["started"] == "hours"
    ws.conversation = ws.visitor_conversation()
    assert bodies(ws) == ["09:00-18:00 açığız."]  # not the rule's flow as well
