"""Canned responses: managing them (who may do what), bad bodies refused, the picker's JSON,
filling in the visitor's language, counting uses, and workspaces kept apart."""

import json

import pytest
from django.urls import reverse
from django_scopes import scope

from apps.canned import services
from apps.canned.models import CannedResponse
from apps.canned.services import CannedError
from apps.conversations.services import message_create, visitor_identify
from apps.tenants.models import Role
from apps.tenants.services import widget_settings_get
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member, signed_identity
from tests.utils import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    tenant = TenantFactory(name="Lale Çiçekçilik", default_language="en")
    return {
        "tenant": tenant,
        "owner": member(tenant, Role.OWNER, full_name="Olga Owner"),
        "admin": member(tenant, Role.ADMIN, full_name="Adam Admin"),
        "operator": member(tenant, Role.OPERATOR, full_name="Ayşe Yılmaz"),
        "other": member(tenant, Role.OPERATOR, full_name="Oscar Other"),
    }


def url(name, tenant, **kwargs):
    return reverse(f"canned:{name}", kwargs={"slug": tenant.slug, **kwargs})


def make(actor, shortcut="refund", personal=False, en="Hi {visitor.name}", tr="", **titles):
    with scope(tenant=actor.tenant):
        return services.canned_create(
            actor=actor,
            personal=personal,
            shortcut=shortcut,
            titles={
                "en": titles.get("title_en", f"{shortcut} title"),
                "tr": titles.get("title_tr", ""),
            },
            bodies={"en": en, "tr": tr},
        )


def fresh(response) -> CannedResponse | None:
    with scope(tenant=response.tenant):
        return CannedResponse.objects.filter(pk=response.pk).first()


def chat(tenant, *, language="en-US", name=None, email=None):
    """A visitor's conversation; with ``name``/``email``, a visitor the site identified."""
    with scope(tenant=tenant):
        start = visit_start(tenant=tenant, token=None, ip="10.0.0.9", language=language)
        visitor = start.visitor
        if name or email:
            secret = widget_settings_get(tenant=tenant).identity_secret
            visitor = visitor_identify(
                visitor=visitor,
                token_hash=start.token_hash,
                **signed_identity(
                    secret,
                    "cust-1",
                    **{k: v for k, v in {"name": name, "email": email}.items() if v},
                ),
            ).visitor
        return message_create(
            sender="visitor", visitor=visitor, client_id="c1", body="Hello"
        ).conversation


def form(shortcut="refund", audience=None, **texts) -> dict:
    data = {"shortcut": shortcut, "title_en": "", "body_en": "", "title_tr": "", "body_tr": ""}
    if audience:
        data["audience"] = audience
    data.update(texts)
    return data


def use(client, tenant, response_id, conversation_number):
    return client.post(
        url("api_use", tenant, response_id=response_id),
        json.dumps({"conversation": conversation_number}),
        content_type="application/json",
    )


# --- Managing: pages, forms, bad input ------------------------------------------------------


def test_admin_creates_a_translated_workspace_response_from_the_page(client, team):
    tenant = team["tenant"]
    client.force_login(team["admin"].user)
    settings = client.get(reverse("tenants:settings", kwargs={"slug": tenant.slug}))
    assert url("list", tenant) in settings.content.decode()  # a section of Settings

    saved = client.post(
        url("new", tenant),
        form(
            shortcut="/Refund",
            audience="workspace",
            title_en="Refund policy",
            body_en="Hi {visitor.first_name|there}, refunds take 5 days.",
            title_tr="İade politikası",
            body_tr="Merhaba {visitor.first_name|}, iadeler 5 gün sürer.",
        ),
    )
    assert saved.status_code == 302
    with scope(tenant=tenant):
        response = CannedResponse.objects.get()
    assert response.shortcut == "refund" and response.owner is None
    assert response.title_tr == "İade politikası" and response.created_by == team["admin"].user

    listing = page_text(client.get(saved.url))
    workspace_part = listing.split("Workspace responses")[1].split("My responses")[0]
    assert "/refund" in workspace_part and "Refund policy" in workspace_part
    assert "EN TR" in workspace_part and "0 times" in workspace_part
    assert "{visitor.name}" in listing  # the variables are explained on the page


@pytest.mark.parametrize(
    "body, complaint",
    [
        ("Call us on {visitor.phone}", "“{visitor.phone}” is not a variable"),
        ("Hi {visitor.name", "A “{” is not closed"),
        ("Hi {{visitor.name}}", "Use single braces"),
    ],
)
def test_a_body_with_a_bad_variable_is_refused_and_nothing_is_saved(client, team, body, complaint):
    tenant = team["tenant"]
    client.force_login(team["admin"].user)
    refused = client.post(
        url("new", tenant), form(audience="workspace", title_en="Refund", body_tr=body)
    )
    assert refused.status_code == 400
    assert complaint in page_text(refused)
    with scope(tenant=tenant):
        assert not CannedResponse.objects.exists()

    # Editing an existing response the same way changes nothing either.
    existing = make(team["admin"], en="Hello {visitor.name}")
    refused = client.post(
        url("edit", tenant, response_id=existing.pk),
        form(shortcut="changed", title_en="Changed", body_en=body),
    )
    assert refused.status_code == 400 and complaint in page_text(refused)
    after = fresh(existing)
    assert after.shortcut == "refund" and after.body_en == "Hello {visitor.name}"


def test_the_service_names_the_unknown_variable_and_the_field():
    tenant = TenantFactory()
    admin = member(tenant, Role.ADMIN)
    with scope(tenant=tenant), pytest.raises(CannedError) as caught:
        services.canned_create(
            actor=admin,
            personal=False,
            shortcut="x",
            titles={"en": "X"},
            bodies={"en": "ok", "tr": "Sipariş {order.id} hazır"},
        )
    error = caught.value
    assert error.code == "unknown_variable" and error.extra["variable"] == "order.id"
    assert error.extra["field"] == "body_tr" and "{order.id}" in error.message


@pytest.mark.parametrize(
    "data, complaint",
    [
        (form(shortcut="", title_en="T", body_en="B"), "This field is required."),
        (form(shortcut="re fund", title_en="T", body_en="B"), "Use only letters, digits"),
        (form(shortcut="-x", title_en="T", body_en="B"), "Use only letters, digits"),
        (form(title_en="T"), "Write the message in at least one language."),
        (form(body_en="B"), "Give the response a title in at least one language."),
    ],
)
def test_bad_fields_are_refused(client, team, data, complaint):
    client.force_login(team["operator"].user)
    refused = client.post(url("new", team["tenant"]), data)
    assert refused.status_code == 400 and complaint in page_text(refused)
    with scope(tenant=team["tenant"]):
        assert not CannedResponse.objects.exists()


def test_shortcuts_are_unique_per_workspace_and_per_owner(client, team):
    tenant = team["tenant"]
    make(team["admin"], shortcut="refund")
    client.force_login(team["owner"].user)
    taken = client.post(
        url("new", tenant), form(shortcut="REFUND", audience="workspace", title_en="T", body_en="B")
    )
    assert taken.status_code == 400
    assert "The workspace already has a response with the shortcut /refund." in page_text(taken)

    # A personal response may reuse a workspace shortcut, once per person.
    mine = form(shortcut="refund", audience="personal", title_en="Mine", body_en="B")
    assert client.post(url("new", tenant), mine).status_code == 302
    again = client.post(url("new", tenant), mine)
    assert "You already have a response with the shortcut /refund." in page_text(again)
    make(team["operator"], shortcut="refund", personal=True)  # another person: fine
    with scope(tenant=tenant):
        assert CannedResponse.objects.filter(shortcut="refund").count() == 3


# --- Permissions ----------------------------------------------------------------------------


def test_operators_manage_only_their_own_responses(client, team):
    tenant = team["tenant"]
    workspace = make(team["admin"], shortcut="hello", en="Hello")
    theirs = make(team["other"], shortcut="mine", personal=True, en="Other's")
    client.force_login(team["operator"].user)

    # The form for an operator has no "everyone" choice: what they add is their own.
    page = client.get(url("new", tenant))
    assert "Everyone in the workspace" not in page_text(page)
    created = client.post(
        url("new", tenant), form(shortcut="x", audience="workspace", title_en="X", body_en="X")
    )
    assert created.status_code == 302
    with scope(tenant=tenant):
        own = CannedResponse.objects.get(shortcut="x")
    assert own.owner == team["operator"].user

    for response, message in [
        (workspace, "Only workspace owners and admins can change the workspace's canned"),
        (theirs, "This is someone else's personal response"),
    ]:
        for name, data in [
            ("edit", form(shortcut="pwned", title_en="P", body_en="P")),
            ("delete", {}),
        ]:
            refused = client.post(url(name, tenant, response_id=response.pk), data)
            assert refused.status_code == 403, (name, response)
            assert message in page_text(refused)
            assert client.get(url(name, tenant, response_id=response.pk)).status_code == 403
    assert fresh(workspace).shortcut == "hello" and fresh(theirs).shortcut == "mine"

    # Their own: edit and delete work; the list offers no edit links for the workspace's.
    listing = client.get(url("list", tenant)).content.decode()
    assert url("edit", tenant, response_id=own.pk) in listing
    assert url("edit", tenant, response_id=workspace.pk) not in listing
    assert "Oscar" not in listing and "/mine" not in listing  # others' personal ones are private
    edited = client.post(
        url("edit", tenant, response_id=own.pk),
        form(shortcut="x2", title_en="X2", body_en="Thanks, {operator.first_name}"),
    )
    assert edited.status_code == 302 and fresh(own).shortcut == "x2"
    assert client.post(url("delete", tenant, response_id=own.pk)).status_code == 302
    assert fresh(own) is None


def test_service_refuses_operators_workspace_responses_and_admins_others_personal_ones(team):
    with scope(tenant=team["tenant"]):
        with pytest.raises(CannedError) as caught:
            services.canned_create(
                actor=team["operator"],
                personal=False,
                shortcut="x",
                titles={"en": "X"},
                bodies={"en": "X"},
            )
        assert caught.value.code == "forbidden"
        personal = make(team["operator"], shortcut="p", personal=True)
        with pytest.raises(CannedError):
            services.canned_delete(actor=team["admin"], response=personal)
        workspace = make(team["owner"], shortcut="w")
        services.canned_update(
            actor=team["admin"],
            response=workspace,
            shortcut="w2",
            titles={"en": "W"},
            bodies={"en": "W"},
        )
    assert fresh(personal) is not None and fresh(workspace).shortcut == "w2"


# --- The picker's JSON ----------------------------------------------------------------------


def test_picker_lists_workspace_and_my_responses_with_titles_in_my_language(client, team):
    tenant = team["tenant"]
    make(team["admin"], shortcut="refund", title_en="Refund", title_tr="İade", tr="İade")
    make(team["operator"], shortcut="mine", personal=True, en="x" * 300)
    make(team["other"], shortcut="secret", personal=True)
    operator = team["operator"].user
    operator.language = "tr"
    operator.save()
    client.force_login(operator)

    data = client.get(url("api_list", tenant)).json()["responses"]
    assert {r["shortcut"] for r in data} == {"refund", "mine"}
    refund = next(r for r in data if r["shortcut"] == "refund")
    assert refund["title"] == "İade" and refund["personal"] is False
    mine = next(r for r in data if r["shortcut"] == "mine")
    assert mine["personal"] is True and len(mine["preview"]) <= 140


def test_use_fills_the_visitor_s_name_and_counts_the_use(client, team):
    tenant = team["tenant"]
    response = make(
        team["admin"],
        en="Hi {visitor.first_name}, I'm {operator.first_name} from {workspace.name} "
        "(#{conversation.number}).",
    )
    conversation = chat(tenant, name="Jane Doe", email="jane@example.com")
    client.force_login(team["operator"].user)

    answer = use(client, tenant, response.pk, conversation.number)
    assert answer.status_code == 200
    assert answer.json() == {
        "text": f"Hi Jane, I'm Ayşe from Lale Çiçekçilik (#{conversation.number}).",
        "language": "en",
    }
    used = fresh(response)
    assert used.usage_count == 1 and used.last_used_at is not None
    use(client, tenant, response.pk, conversation.number)
    assert fresh(response).usage_count == 2


def test_unknown_visitor_details_fall_back_cleanly(client, team):
    tenant = team["tenant"]
    response = make(
        team["admin"],
        en="Hi {visitor.name}, we will mail {visitor.email|you} soon. {operator.name}",
    )
    conversation = chat(tenant)  # anonymous: no name, no email
    with scope(tenant=tenant):
        # What the browser claimed without the site's signature is not used.
        conversation.visitor.unverified = {"name": "Mallory", "email": "m@evil.example"}
        conversation.visitor.save()
    client.force_login(team["operator"].user)
    text = use(client, tenant, response.pk, conversation.number).json()["text"]
    assert text == "Hi, we will mail you soon. Ayşe Yılmaz"


def test_a_turkish_visitor_gets_the_turkish_translation(client, team):
    tenant = team["tenant"]
    response = make(
        team["admin"], en="Hello {visitor.first_name|there}!", tr="Merhaba {visitor.first_name}!"
    )
    client.force_login(team["operator"].user)

    turkish = chat(tenant, language="tr-TR", name="Ayla Kaya")
    assert use(client, tenant, response.pk, turkish.number).json() == {
        "text": "Merhaba Ayla!",
        "language": "tr",
    }
    german = chat(tenant, language="de-DE")  # no German version: the workspace's default
    assert use(client, tenant, response.pk, german.number).json()["text"] == "Hello there!"
    tenant.default_language = "tr"
    tenant.save()
    assert use(client, tenant, response.pk, german.number).json()["text"] == "Merhaba!"

    english_only = make(team["admin"], shortcut="en-only", en="Only English")
    assert use(client, tenant, english_only.pk, turkish.number).json() == {
        "text": "Only English",  # no Turkish and default (tr) missing: any version there is
        "language": "en",
    }


def test_bad_use_requests_get_a_clear_error_and_count_nothing(client, team):
    tenant = team["tenant"]
    response = make(team["admin"])
    theirs = make(team["other"], shortcut="theirs", personal=True)
    conversation = chat(tenant)
    client.force_login(team["operator"].user)
    endpoint = url("api_use", tenant, response_id=response.pk)

    for body, status, code in [
        ("not json", 400, "invalid"),
        (json.dumps([1]), 400, "invalid"),
        (json.dumps({"conversation": "1"}), 400, "invalid"),
        (json.dumps({}), 400, "invalid"),
        (json.dumps({"conversation": 9999}), 404, "not_found"),
    ]:
        answer = client.post(endpoint, body, content_type="application/json")
        assert answer.status_code == status, body
        assert answer.json()["error"]["code"] == code and answer.json()["error"]["message"]
    # Someone else's personal response is not mine to use.
    answer = use(client, tenant, theirs.pk, conversation.number)
    assert answer.status_code == 404
    assert client.get(endpoint).status_code == 405
    assert fresh(response).usage_count == 0 and fresh(theirs).usage_count == 0


# --- Workspaces apart -----------------------------------------------------------------------


def test_another_workspace_s_response_is_404_everywhere(client, team):
    tenant = team["tenant"]
    elsewhere = TenantFactory(name="Elsewhere")
    foreign = make(member(elsewhere, Role.OWNER), shortcut="foreign", en="Foreign secret")
    conversation = chat(tenant)
    client.force_login(team["owner"].user)

    assert use(client, tenant, foreign.pk, conversation.number).status_code == 404
    for name in ("edit", "delete"):
        assert client.get(url(name, tenant, response_id=foreign.pk)).status_code == 404
        posted = client.post(
            url(name, tenant, response_id=foreign.pk), form(title_en="P", body_en="P")
        )
        assert posted.status_code == 404
    assert "foreign" not in client.get(url("api_list", tenant)).content.decode()
    after = fresh(foreign)
    assert after.shortcut == "foreign" and after.usage_count == 0


def test_platform_admin_sees_responses_of_every_workspace(client, team):
    from tests.factories import UserFactory

    make(team["admin"], shortcut="refund", title_en="Refund policy", title_tr="İade")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:canned_cannedresponse_changelist"), {"q": "refund"})
    assert listing.status_code == 200 and "refund" in page_text(listing)
    with scope(tenant=team["tenant"]):
        response = CannedResponse.objects.get()
    change = client.get(reverse("admin:canned_cannedresponse_change", args=[response.pk]))
    assert change.status_code == 200 and "İade" in change.content.decode()
