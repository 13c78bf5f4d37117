"""The bot's optional language model, against a small OpenAI-compatible server of the tests on
127.0.0.1 (real PostgreSQL; the handlers run after commit): it words the answer from the entries
found and cites one, says so when they do not answer, and anything going wrong leaves the
entry's own answer. Its settings on the Bot page: saved, checked, the key kept encrypted and
never shown."""

import logging

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from apps.bot.models import BotSettings
from apps.bot.services.settings import bot_llm_update
from apps.tenants.models import Role
from tests.bot.helpers import BotChat
from tests.bot.llm_server import ChatCompletionsServer
from tests.factories import member
from tests.utils import page_text

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KEY = "sk-test-0123456789abcdef"
QUESTION = "how can i track my order"
OWN_ANSWER = "Your tracking link is in the shipping email."


@pytest.fixture
def llm(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True  # the test server is on 127.0.0.1
    with ChatCompletionsServer() as server:
        yield server


def model_on(chat: BotChat, base_url: str, *, key: str = KEY) -> None:
    with scope(tenant=chat.tenant):
        bot_llm_update(
            tenant_id=chat.tenant.pk,
            enabled=True,
            base_url=base_url,
            model="small-model",
            key=key,
        )


def saved(chat: BotChat) -> BotSettings:
    with scope(tenant=chat.tenant):
        return BotSettings.objects.get(tenant=chat.tenant)


def url(chat: BotChat, name: str = "bot:settings") -> str:
    return reverse(name, kwargs={"slug": chat.tenant.slug})


# --- in the chat ----------------------------------------------------------------------------


def test_the_model_words_the_answer_from_the_entry_it_cites(llm):
    chat = BotChat()
    model_on(chat, llm.url)
    llm.reply = "You can follow your parcel with the link in the shipping email [1]."
    chat.writes(QUESTION)

    [reply] = chat.bot_messages()
    assert reply.body == "You can follow your parcel with the link in the shipping email."
    assert reply.content["bot"]["entry"] == {"id": "tracking", "question": "Where is my order?"}
    assert reply.content["bot"]["phrased"] is True
    assert reply.content["bot"]["buttons"] == ["helpful", "person"]
    [answer] = chat.answers()
    assert answer.kind == "answer"
    with scope(tenant=chat.tenant):
        assert answer.entry.external_id == "tracking"

    [request] = llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {KEY}"
    sent = request["json"]
    assert sent["model"] == "small-model"
    assert sent["temperature"] == 0
    assert 0 < sent["max_tokens"] <= 500
    system, user = sent["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "[1] Question: Where is my order?" in system["content"]
    assert OWN_ANSWER in system["content"]
    assert "NO_ANSWER" in system["content"]
    assert "English" in system["content"]
    # The visitor's words are in the user message only, between the markers.
    assert QUESTION not in system["content"]
    assert user["content"].splitlines()[1] == QUESTION


def test_a_turkish_question_gets_the_turkish_entries_and_the_model_is_told_so(llm):
    chat = BotChat(language="en-US")
    model_on(chat, llm.url)
    llm.reply = "Takip bağlantınız kargo e-postasında [1]."
    chat.writes("siparisimi nasil takip edebilirim")
    [reply] = chat.bot_messages()
    assert reply.body == "Takip bağlantınız kargo e-postasında."
    assert reply.content["bot"]["entry"]["question"] == "Siparişim nerede?"
    system = llm.requests[0]["json"]["messages"][0]["content"]
    assert "Kargo takip bağlantısı kargo e-postasında." in system
    assert "Turkish" in system


@pytest.mark.parametrize(
    "model_says",
    [
        "NO_ANSWER",
        "Sure! Here is a 50% discount code: SAVE50",  # cites nothing it was given
        "Your order ships tomorrow [7].",  # cites an entry it was not given
    ],
)
def test_when_the_model_finds_no_answer_in_the_entries_the_bot_says_it_does_not_know(
    llm, model_says
):
    chat = BotChat()
    model_on(chat, llm.url)
    llm.reply = model_says
    chat.writes(QUESTION)
    [reply] = chat.bot_messages()
    assert reply.content["bot"] == {"kind": "unsure", "buttons": ["person"]}
    assert reply.body.startswith("I am not sure I have the answer to that.")
    assert "SAVE50" not in reply.body
    assert chat.fresh().bot_holds
    # A second miss in a row hands the chat to people, as without the model.
    chat.writes("and how can I track my order now")
    assert not chat.fresh().bot_holds
    assert chat.handoffs()[0].data["reason"] == "no_answer"


def test_a_slow_model_leaves_the_entrys_own_answer(llm, settings):
    settings.BOT_LLM_TIMEOUT_S = 0.3
    chat = BotChat()
    model_on(chat, llm.url)
    llm.hold()
    chat.writes(QUESTION)
    [reply] = chat.bot_messages()
    assert reply.body == OWN_ANSWER
    assert "phrased" not in reply.content["bot"]
    assert len(llm.requests) == 1  # it was asked, and not waited for


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b"<html>not json</html>"), (200, b'{"choices": []}'), (500, b'{"error": "down"}')],
)
def test_a_broken_reply_leaves_the_entrys_own_answer_and_logs_no_visitor_text(
    llm, caplog, status, body
):
    chat = BotChat()
    model_on(chat, llm.url)
    llm.status, llm.body = status, body
    with caplog.at_level(logging.INFO):
        chat.writes(QUESTION)
    [reply] = chat.bot_messages()
    assert reply.body == OWN_ANSWER
    assert "Language model not used" in caplog.text
    assert QUESTION not in caplog.text and KEY not in caplog.text


def test_an_address_on_loopback_or_a_private_network_is_never_called(llm, settings):
    chat = BotChat()
    model_on(chat, llm.url)  # saved while the tests' loopback was allowed
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    chat.writes(QUESTION)
    assert chat.bot_messages()[-1].body == OWN_ANSWER
    assert llm.requests == []  # refused before connecting

    # A private network's address (written directly: the page refuses it).
    other = BotChat()
    with scope(tenant=other.tenant):
        BotSettings.objects.filter(tenant=other.tenant).update(
            llm_enabled=True, llm_base_url="http://10.1.2.3/v1", llm_model="small-model"
        )
    other.writes(QUESTION)
    assert other.bot_messages()[-1].body == OWN_ANSWER
    assert "phrased" not in other.bot_messages()[-1].content["bot"]


def test_the_model_is_off_by_default_and_when_turned_off(llm):
    chat = BotChat()
    chat.writes(QUESTION)
    model_on(chat, llm.url)
    with scope(tenant=chat.tenant):
        bot_llm_update(
            tenant_id=chat.tenant.pk, enabled=False, base_url=llm.url, model="small-model"
        )
    chat.writes("can I pay in installments?")
    assert [m.body for m in chat.bot_messages()] == [
        OWN_ANSWER,
        "Yes, up to 6 installments with credit cards.",
    ]
    assert llm.requests == []


def test_the_platforms_model_serves_a_workspace_that_left_its_address_empty(llm, settings):
    settings.BOT_LLM_BASE_URL = llm.url
    settings.BOT_LLM_MODEL = "platform-model"
    settings.BOT_LLM_KEY = "sk-platform"
    chat = BotChat()
    with scope(tenant=chat.tenant):
        bot_llm_update(tenant_id=chat.tenant.pk, enabled=True, base_url="", model="")
    llm.reply = "The tracking link is in your shipping email [1]."
    chat.writes(QUESTION)
    assert chat.bot_messages()[-1].body == "The tracking link is in your shipping email."
    [request] = llm.requests
    assert request["json"]["model"] == "platform-model"
    assert request["headers"]["authorization"] == "Bearer sk-platform"


# --- the settings page ----------------------------------------------------------------------


def test_the_key_is_stored_encrypted_and_never_shown(client, llm):
    chat = BotChat()
    client.force_login(chat.admin.user)
    posted = client.post(
        url(chat, "bot:llm"),
        {"llm_enabled": "on", "llm_base_url": llm.url, "llm_model": "small-model", "llm_key": KEY},
    )
    assert posted.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT llm_key FROM bot_botsettings WHERE tenant_id = %s", [chat.tenant.pk])
        [(raw,)] = cursor.fetchall()
    assert raw and KEY not in raw
    assert saved(chat).llm_key == KEY

    page = client.get(url(chat))
    html = page.content.decode()
    assert KEY not in html and raw not in html
    assert "A key is saved." in page_text(page)
    assert llm.url in html and "small-model" in html

    # Saved again without a key: the key stays; "Remove the saved key" removes it.
    client.post(
        url(chat, "bot:llm"),
        {"llm_enabled": "on", "llm_base_url": llm.url, "llm_model": "other-model"},
    )
    assert saved(chat).llm_key == KEY and saved(chat).llm_model == "other-model"
    client.post(
        url(chat, "bot:llm"),
        {"llm_base_url": llm.url, "llm_model": "other-model", "llm_key_clear": "on"},
    )
    assert saved(chat).llm_key == "" and not saved(chat).llm_enabled
    assert "A key is saved." not in page_text(client.get(url(chat)))


def test_a_saved_key_is_not_sent_to_another_host(client, llm):
    chat = BotChat()
    model_on(chat, llm.url)
    client.force_login(chat.admin.user)
    moved = llm.url.replace("127.0.0.1", "127.0.0.2")
    client.post(url(chat, "bot:llm"), {"llm_base_url": moved, "llm_model": "small-model"})
    assert saved(chat).llm_base_url == moved
    assert saved(chat).llm_key == ""


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("not an address", "Enter an http:// or https:// address"),
        ("ftp://models.example.com/v1", "Enter an http:// or https:// address"),
        ("file:///etc/passwd", "Enter an http:// or https:// address"),
        ("http://10.0.0.7/v1", "Sohbet does not call local or private addresses"),
        ("http://169.254.169.254/latest", "Sohbet does not call local or private addresses"),
        ("http://[::ffff:127.0.0.1]/v1", "Sohbet does not call local or private addresses"),
    ],
)
def test_the_page_refuses_an_address_that_is_not_public_http(client, address, error):
    chat = BotChat()
    client.force_login(chat.admin.user)
    response = client.post(
        url(chat, "bot:llm"),
        {"llm_enabled": "on", "llm_base_url": address, "llm_model": "m", "llm_key": KEY},
    )
    assert response.status_code == 400
    assert error in page_text(response)
    assert KEY not in response.content.decode()  # not even the one just typed
    assert not saved(chat).llm_enabled and saved(chat).llm_key == ""


def test_turning_the_model_on_needs_an_address_and_a_model(client):
    chat = BotChat()
    client.force_login(chat.admin.user)
    response = client.post(url(chat, "bot:llm"), {"llm_enabled": "on"})
    assert response.status_code == 400
    assert "Enter the address of the model's API." in page_text(response)
    response = client.post(
        url(chat, "bot:llm"), {"llm_enabled": "on", "llm_base_url": "https://api.example.com/v1"}
    )
    assert response.status_code == 400
    assert "Enter the model's name." in page_text(response)
    assert not saved(chat).llm_enabled


def test_operators_cannot_change_the_model(client):
    chat = BotChat()
    operator = member(chat.tenant, Role.OPERATOR)
    client.force_login(operator.user)
    response = client.post(
        url(chat, "bot:llm"),
        {"llm_enabled": "on", "llm_base_url": "https://api.example.com/v1", "llm_model": "m"},
    )
    assert response.status_code == 403
    assert not saved(chat).llm_enabled
