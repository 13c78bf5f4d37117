"""Inbox search over encrypted messages and visitor identities (docs/search.md)."""

import io
import re

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_scopes import scope

from apps.conversations.models import Message
from apps.conversations.selectors import visible_conversations
from apps.conversations.services import message_create, visitor_identify
from apps.search import text
from apps.search.models import MessageEntry, VisitorEntry
from apps.search.selectors import SearchError, search_conversations
from apps.tenants.services import widget_settings_get
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member, signed_identity

pytestmark = pytest.mark.django_db(transaction=True)  # the index follows committed events


def raw(sql: str, *params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [" ".join(str(v) for v in row) for row in cursor.fetchall()]


class Workspace:
    """A workspace with one operator; ``chat(...)`` starts a visitor's conversation."""

    def __init__(self, name: str = "Lale Çiçekçilik"):
        self.tenant = TenantFactory(name=name)
        self.operator = member(self.tenant)
        self._n = 0

    def visitor(self):
        with scope(tenant=self.tenant):
            return visit_start(tenant=self.tenant, token=None, ip="10.0.0.1")

    def chat(self, *bodies: str, start=None):
        start = start or self.visitor()
        conversation = None
        with scope(tenant=self.tenant):
            for body in bodies:
                self._n += 1
                result = message_create(
                    sender="visitor", visitor=start.visitor, client_id=f"m{self._n}", body=body
                )
                conversation = result.conversation
        return conversation

    def reply(self, conversation, body: str):
        with scope(tenant=self.tenant):
            self._n += 1
            message_create(
                sender="operator",
                author=self.operator.user,
                conversation=conversation,
                client_id=f"r{self._n}",
                body=body,
            )

    def identify(self, start, *, name: str, email: str, user_id: str = "u-1"):
        with scope(tenant=self.tenant):
            secret = widget_settings_get(tenant=self.tenant).identity_secret
            return visitor_identify(
                visitor=start.visitor,
                token_hash=start.token_hash,
                **signed_identity(secret, user_id, email=email, name=name),
            ).visitor

    def search(self, query: str, membership="operator", **kwargs) -> list[dict]:
        if membership == "operator":
            membership = self.operator
        with scope(tenant=self.tenant):
            return search_conversations(membership=membership, query=query, **kwargs)

    def numbers(self, query: str, **kwargs) -> list[int]:
        return [r["number"] for r in self.search(query, **kwargs)]


@pytest.fixture
def ws():
    return Workspace()


def marked(snippet_or_text: str, ranges) -> list[str]:
    return [snippet_or_text[s:e] for s, e in ranges]


def test_words_in_encrypted_messages_are_found_and_nothing_is_stored_in_plaintext(ws):
    conversation = ws.chat("Merhaba, siparişim için iade istiyorum: refund #48213")
    ws.reply(conversation, "Tabii, iade talebinizi hemen başlatıyorum.")

    results = ws.search("iade")
    assert [r["number"] for r in results] == [conversation.number]
    snippets = results[0]["snippets"]
    assert len(snippets) == 2  # both messages hold the word
    assert [marked(s["text"], s["highlights"]) for s in snippets] == [["iade"], ["iade"]]
    assert ws.numbers("48213") == [conversation.number]
    assert ws.numbers("başlatıyorum") == [conversation.number]
    assert ws.numbers("kargo") == []

    # The message column holds ciphertext; the index holds opaque tokens only.
    stored = " ".join(raw("SELECT body FROM conversations_message"))
    index_rows = raw("SELECT * FROM search_messageentry")
    assert len(index_rows) == 2
    everything = stored + " " + " ".join(index_rows)
    for word in ("Merhaba", "siparis", "sipariş", "iade", "refund", "48213", "talebinizi"):
        assert word.lower() not in everything.lower(), word
    for tokens in raw("SELECT tokens FROM search_messageentry"):
        assert re.fullmatch(r"('?[A-Za-z0-9+/]{8}'? ?)+", tokens.strip())


def test_diacritics_and_case_do_not_matter(ws):
    turkish = ws.chat("İSTANBUL'a kargo GÖNDERİLDİ mi? Şişli şubesi ılık karşıladı.")
    plain = ws.chat("istanbul subesi cagri merkezi")

    assert set(ws.numbers("istanbul")) == {turkish.number, plain.number}
    assert set(ws.numbers("İstanbul")) == {turkish.number, plain.number}
    assert set(ws.numbers("ISTANBUL")) == {turkish.number, plain.number}
    assert ws.numbers("gonderildi") == [turkish.number]
    assert ws.numbers("sisli") == [turkish.number]
    assert ws.numbers("ilik") == [turkish.number]
    assert ws.numbers("ÇAĞRI") == [plain.number]
    assert set(ws.numbers("şube")) == {turkish.number, plain.number}


def test_a_word_is_found_by_its_beginning(ws):
    conversation = ws.chat("I would like a refund for order 5512 and my TV, please.")
    assert ws.numbers("refun") == [conversation.number]
    assert ws.numbers("ref") == [conversation.number]
    assert ws.numbers("551") == [conversation.number]
    assert ws.numbers("efund") == []  # the middle of a word is not its beginning
    # Two characters find a two-character word, not the beginning of longer ones.
    assert ws.numbers("tv") == [conversation.number]
    assert ws.numbers("re") == []
    (result,) = ws.search("refun")
    (snippet,) = result["snippets"]
    assert marked(snippet["text"], snippet["highlights"]) == ["refund"]


def test_long_words_are_checked_against_the_text(ws):
    """The index knows a word's first 10 characters; the rest is checked on the decrypted text."""
    long_word = ws.chat("Internationalisation settings are wrong")
    other = ws.chat("We ship internationally")
    assert ws.numbers("internationalisation") == [long_word.number]
    assert set(ws.numbers("internation")) == {long_word.number, other.number}
    assert ws.numbers("internationally") == [other.number]


def test_highlight_ranges_follow_the_same_folding(ws):
    conversation = ws.chat("Siparişim İstanbul'da kaldı, İSTANBUL şubesi 👍 yardım eder mi?")
    (result,) = ws.search("istanbul yardim")
    assert result["number"] == conversation.number
    (snippet,) = result["snippets"]
    assert marked(snippet["text"], snippet["highlights"]) == ["İstanbul", "İSTANBUL", "yardım"]


def test_long_messages_give_a_snippet_around_the_match(ws):
    body = ("Lorem ipsum dolor sit amet. " * 20) + "The tracking number is ZX9912. " + "Bye. " * 30
    ws.chat(body)
    (result,) = ws.search("zx9912")
    (snippet,) = result["snippets"]
    assert len(snippet["text"]) < 200
    assert snippet["text"].startswith("…") and snippet["text"].endswith("…")
    assert marked(snippet["text"], snippet["highlights"]) == ["ZX9912"]


def test_at_most_three_snippets_with_the_most_words_first(ws):
    conversation = ws.chat(
        "kargo nerede?",
        "kargo hala gelmedi",
        "iade kargo ile mi?",
        "kargo firması aradı",
        "kargo kargo",
    )
    (result,) = ws.search("kargo iade")
    assert result["number"] == conversation.number
    assert len(result["snippets"]) == 3
    assert result["snippets"][0]["text"] == "iade kargo ile mi?"


def test_words_may_be_spread_over_the_conversation_and_the_visitor(ws):
    start = ws.visitor()
    conversation = ws.chat("The parcel is late", start=start)
    ws.identify(start, name="Ayşe Yılmaz", email="ayse@example.com")
    ws.chat("The parcel is late too")  # someone else, same words

    (result,) = ws.search("ayse parcel")
    assert result["number"] == conversation.number
    assert result["matched"] == {"name": True, "email": True, "messages": True}
    assert ws.numbers("parcel ayse kargo") == []  # every word must be somewhere


def test_visitor_name_and_email_are_found_and_marked(ws):
    start = ws.visitor()
    conversation = ws.chat("Hello", start=start)
    anonymous = ws.chat("Hello there, Ayşe sent me")
    ws.identify(start, name="Ayşe Yılmaz", email="ayse.yilmaz@example.com")

    results = ws.search("AYSE")
    assert [r["number"] for r in results] == [anonymous.number, conversation.number]
    by_number = {r["number"]: r for r in results}
    named = by_number[conversation.number]
    assert named["visitor"]["name"] == "Ayşe Yılmaz"
    assert marked(named["visitor"]["name"], named["visitor"]["name_highlights"]) == ["Ayşe"]
    assert marked(named["visitor"]["email"], named["visitor"]["email_highlights"]) == ["ayse"]
    assert named["matched"] == {"name": True, "email": True, "messages": False}
    assert named["snippets"] == []
    assert by_number[anonymous.number]["matched"] == {
        "name": False,
        "email": False,
        "messages": True,
    }
    assert "email" not in by_number[anonymous.number]["visitor"]

    (by_email,) = ws.search("yilmaz@example")
    assert by_email["number"] == conversation.number
    assert by_email["matched"]["email"] is True
    # The visitor's name and email are encrypted and the index holds no trace of them.
    stored = " ".join(raw("SELECT name, email FROM visitors_visitor"))
    stored += " ".join(raw("SELECT * FROM search_visitorentry"))
    # As whole words: a short one may turn up inside random ciphertext or tokens by chance.
    for word in ("ayse", "ayşe", "yilmaz", "yılmaz", "example"):
        assert not re.search(rf"\b{word}\b", stored.lower())


def test_a_visitor_merged_into_a_known_contact_is_found_by_the_contact_name(ws):
    first = ws.visitor()
    older = ws.chat("First visit", start=first)
    ws.identify(first, name="Deniz Kaya", email="deniz@example.com", user_id="42")
    second = ws.visitor()  # another browser, anonymous, then logs in as the same person
    newer = ws.chat("Second visit", start=second)
    assert ws.numbers("deniz") == [older.number]
    ws.identify(second, name="Deniz Kaya", email="deniz@example.com", user_id="42")
    assert ws.numbers("deniz") == [newer.number, older.number]


def test_other_workspaces_never_show_up():
    a, b = Workspace("Alpha"), Workspace("Beta")
    in_a = a.chat("Gizli teslimat adresi Kadıköy")
    in_b = b.chat("Gizli teslimat adresi Kadıköy")
    start_b = b.visitor()
    named_b = b.chat("hello", start=start_b)
    b.identify(start_b, name="Kadıköy Mağazası", email="kadikoy@beta.example")

    assert a.numbers("kadikoy") == [in_a.number]
    assert set(b.numbers("kadikoy")) == {in_b.number, named_b.number}
    # The same word gives different tokens in each workspace.
    with scope(tenant=a.tenant):
        tokens_a = MessageEntry.objects.get().tokens
    with scope(tenant=b.tenant):
        tokens_b = MessageEntry.objects.filter(conversation=in_b).get().tokens
    assert not tokens_a & tokens_b
    # A member of B searching inside A's scope (or the other way) gets nothing.
    assert a.search("kadikoy", membership=b.operator) == []
    assert b.search("kadikoy", membership=a.operator) == []
    assert a.search("kadikoy", membership=None) == []


def test_results_are_exactly_the_visible_conversations_holding_the_words():
    """Written against ``visible_conversations``: whatever it lets an operator see (today the
    workspace, soon their teams), search returns those conversations holding the words, and no
    other."""
    a, b = Workspace("Alpha"), Workspace("Beta")
    for ws in (a, b):
        ws.chat("fatura adresi yanlış")
        ws.chat("faturamı alamadım")
        ws.chat("teşekkürler")
    second = member(a.tenant)
    for membership in (a.operator, second):
        with scope(tenant=a.tenant):
            visible = visible_conversations(membership=membership)
            expected = {
                c.number
                for c in visible
                for m in Message.objects.filter(conversation=c)
                if any(w.startswith("fatura") for w in text.words(m.body))
            }
        assert expected and set(a.numbers("fatura", membership=membership)) == expected


def test_limit_and_order(ws):
    numbers = [ws.chat(f"ticket {i} printer jam").number for i in range(6)]
    assert ws.numbers("printer", limit=4) == numbers[::-1][:4]


def test_a_message_without_words_leaves_no_search_entry(ws):
    conversation = ws.chat("👍")
    with scope(tenant=ws.tenant):
        assert Message.objects.filter(conversation=conversation).count() == 1
        assert not MessageEntry.objects.filter(conversation=conversation).exists()
    ws.chat("kargo nerede", start=ws.visitor())
    assert ws.numbers("kargo")


def test_a_visitor_message_lands_whole_encrypted_findable_and_counted(ws):
    """One transaction stores the body encrypted, its search entry and the conversation's row
    up to date; a resend stores nothing new."""
    start = ws.visitor()
    first = ws.chat("hello", start=start)
    waiting_since = first.waiting_since
    with scope(tenant=ws.tenant):
        result = message_create(
            sender="visitor", visitor=start.visitor, client_id="hot-1", body="Kargom nerede kaldı?"
        )
        conversation = result.conversation
        conversation.refresh_from_db()
        assert conversation.pk == first.pk
        assert conversation.last_message_id == result.message.pk
        assert conversation.operator_unread == 2
        assert conversation.waiting_since == waiting_since  # still waiting since the first
        assert conversation.last_activity_at == result.message.created_at
        stored = Message.objects.get(pk=result.message.pk)
        assert stored.body == "Kargom nerede kaldı?" and stored.client_id == "hot-1"
    assert "Kargom" not in raw("SELECT body FROM conversations_message WHERE id = %s", stored.pk)[0]
    assert ws.numbers("kargo") == [conversation.number]
    with scope(tenant=ws.tenant):  # the same client id again: the stored message, nothing new
        again = message_create(
            sender="visitor", visitor=start.visitor, client_id="hot-1", body="Kargom nerede kaldı?"
        )
        assert again.duplicate and again.message.pk == stored.pk
        assert Message.objects.filter(conversation=conversation).count() == 2


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x", "too_short"),
        ("y" * 201, "too_long"),
        ("?!", "no_words"),
        ("a b c", "no_words"),
    ],
)
def test_bad_queries_are_refused(ws, query, code):
    with pytest.raises(SearchError) as refused:
        ws.search(query)
    assert refused.value.code == code


def test_endpoint_answers_json_with_highlights(client, ws):
    conversation = ws.chat("Kargom İstanbul'da bekliyor")
    client.force_login(ws.operator.user)
    response = client.get(f"/app/{ws.tenant.slug}/inbox/search/", {"q": "istanbul"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["query"] == "istanbul"
    (result,) = body["results"]
    assert result["number"] == conversation.number
    assert result["status"] == "open"
    (snippet,) = result["snippets"]
    assert marked(snippet["text"], snippet["highlights"]) == ["İstanbul"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type something to search for."),
        ("k", "Type at least 2 characters to search."),
        ("k" * 201, "The search is too long: 200 characters at most."),
        ("--", "Search for a word of at least 2 letters or digits."),
    ],
)
def test_endpoint_refuses_bad_input_with_a_clear_message(client, ws, query, message):
    client.force_login(ws.operator.user)
    response = client.get(f"/app/{ws.tenant.slug}/inbox/search/", {"q": query})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message


def test_endpoint_of_another_workspace_is_404(client):
    a, b = Workspace("Alpha"), Workspace("Beta")
    b.chat("secret words")
    client.force_login(a.operator.user)
    response = client.get(f"/app/{b.tenant.slug}/inbox/search/", {"q": "secret"})
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_reindex_command_rebuilds_the_index(ws):
    conversation = ws.chat("Eski mesaj: fatura kesilmedi")
    start = ws.visitor()
    ws.chat("hi", start=start)
    ws.identify(start, name="Mehmet Öztürk", email="mehmet@example.com")
    with scope(tenant=ws.tenant):
        MessageEntry.objects.all().delete()
        VisitorEntry.objects.all().delete()
    assert ws.numbers("fatura") == []
    assert ws.numbers("ozturk") == []

    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert "Indexed 2 messages and 1 visitors." in out.getvalue()
    assert ws.numbers("fatura") == [conversation.number]
    assert len(ws.numbers("ozturk")) == 1

    out = io.StringIO()
    call_command("search_reindex", "--workspace", ws.tenant.slug, stdout=out)  # idempotent
    assert f"{ws.tenant.slug}: 2 messages, 1 visitors indexed" in out.getvalue()
    with scope(tenant=ws.tenant):
        assert MessageEntry.objects.count() == 2


def test_search_keeps_working_through_a_key_rotation(ws, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    before = ws.chat("Teslimat gecikti")
    with scope(tenant=ws.tenant):
        tokens_before = MessageEntry.objects.get().tokens

    settings.ENCRYPTION_KEYS = [new, old]  # new key first: rows indexed under either are found
    after = ws.chat("Teslimat yine gecikti")
    assert set(ws.numbers("teslimat")) == {before.number, after.number}

    call_command("rotate_encryption_keys", stdout=io.StringIO())
    call_command("search_reindex", stdout=io.StringIO())
    settings.ENCRYPTION_KEYS = [new]  # the old key is gone
    assert set(ws.numbers("teslimat")) == {before.number, after.number}
    with scope(tenant=ws.tenant):
        assert MessageEntry.objects.get(message__conversation=before).tokens != tokens_before


def test_unknown_workspace_in_command_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("search_reindex", "--workspace", "nope", stdout=io.StringIO())


@pytest.mark.parametrize(
    "tokens", [{""}, {"a b"}, {"ab", "x y"}, {"a'"}, {"ab", "a-"}, {"a\n"}, {" "}]
)
def test_anything_but_base64_tokens_is_refused_before_it_reaches_sql(tokens):
    # Tokens are written into a tsvector literal ('a' 'b'): a quote or a space would change it.
    field = MessageEntry._meta.get_field("tokens")
    with pytest.raises(ValueError, match="base64"):
        field.get_db_prep_value(tokens, connection)
    assert field.get_db_prep_value({"b+/9", "a"}, connection) in ("'a' 'b+/9'", " a b+/9 ")


def test_ascii_text_folds_as_character_by_character_folding_does():
    """``fold``'s shortcut for ASCII text gives what folding each character gives, for every
    ASCII character and for a chat-like sentence; text with other letters still folds them."""
    from apps.search.text import fold, fold_char, words

    every = "".join(chr(c) for c in range(128))
    sentence = "Order #A-1042 SHIPPED? Call +90 (212) 555-0101 or mail Ayse_K@Example.COM!"
    for sample in (every, sentence):
        assert sample.isascii() and fold(sample) == "".join(map(fold_char, sample))
    assert words("İSTANBUL'da Çağrı ORDER-7") == ["istanbul", "da", "cagri", "order", "7"]
