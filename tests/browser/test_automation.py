"""Automation in headless Chromium: an admin builds a rule in the editor (trigger, conditions,
actions), is told which field is wrong, and tests it against a conversation; a visitor who stays
on the pricing page is greeted by a rule, the chat window opening by itself."""

import uuid

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.automation.models import Rule
from apps.conversations import services as conversation_services
from apps.conversations.models import Activity, Label
from apps.tenants.models import Role
from apps.visitors.services import visit_start
from tests.browser.test_widget import Widget
from tests.factories import TenantFactory, member
from tests.utils import in_thread, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def in_scope(workspace, fn, *args, **kwargs):
    def call():
        with scope(tenant=workspace):
            return fn(*args, **kwargs)

    return in_thread(call)


def a_conversation(tenant, body: str) -> int:
    def start():
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.9", language="tr-TR").visitor
        return conversation_services.message_create(
            sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body=body
        ).conversation.number

    return in_scope(tenant, start)


def test_admin_builds_a_rule_fixes_a_field_and_tests_it_on_a_conversation(page, login, screenshot):
    tenant = in_thread(TenantFactory, name="Lale Home")
    admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya", language="")
    label = in_scope(tenant, Label.objects.create, tenant=tenant, name="İade")
    number = a_conversation(tenant, "Bu lambayı iade etmek istiyorum")
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Automation").click()
    expect(page.get_by_role("heading", name="Automation", level=1)).to_be_visible()
    expect(page.get_by_test_id("no-rules")).to_be_visible()
    page.get_by_test_id("rule-new").click()

    editor = page.get_by_test_id("rule-editor")
    editor.get_by_label("Name").fill("Returns")
    editor.get_by_test_id("rule-trigger").select_option(label="The visitor writes")
    editor.get_by_role("button", name="Add a condition").click()
    condition = editor.locator("[data-condition]").first
    condition.get_by_label("What").select_option(label="Message text")
    condition.get_by_label("How").select_option(label="matches the pattern")
    condition.get_by_label("Value").fill("(iade")  # a broken pattern
    action = editor.locator("[data-action]").first
    action.get_by_label("Action").select_option(label="Add a label")
    action.get_by_label("Label").select_option(label="İade")
    editor.get_by_role("button", name="Add an action").click()
    reply = editor.locator("[data-action]").nth(1)
    reply.get_by_label("Action").select_option(label="Send a message as the bot")
    reply.get_by_label("In English").fill("Returns are free within 30 days.")
    reply.get_by_label("In Turkish").fill("30 gün içinde iade ücretsiz.")
    page.get_by_test_id("rule-save").click()

    # Refused: the message names the problem, the field is marked, nothing typed is lost.
    expect(page.get_by_test_id("rule-error")).to_contain_text("Not a valid pattern")
    value = page.locator("[data-condition]").first.get_by_label("Value")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_be_focused()
    expect(page.get_by_label("Name")).to_have_value("Returns")
    expect(page.locator("[data-action]").nth(1).get_by_label("In Turkish")).to_have_value(
        "30 gün içinde iade ücretsiz."
    )
    assert in_scope(tenant, Rule.objects.count) == 0
    screenshot(page, "automation-1-refused")

    value.fill("iade|return")
    page.locator("[data-condition]").first.get_by_label("How").select_option(label="contains")
    page.locator("[data-condition]").first.get_by_label("Value").fill("iade")
    # Try it on a conversation before saving: the visitor wrote "iade".
    page.get_by_test_id("rule-test-number").fill(str(number))
    page.get_by_test_id("rule-test").click()
    expect(page.get_by_test_id("rule-test-result")).to_have_text(
        "The conditions hold for this conversation: the rule would act."
    )
    expect(page.locator("[data-condition]").first).to_contain_text("holds")
    screenshot(page, "automation-2-tested")
    page.get_by_test_id("rule-save").click()

    expect(page.get_by_role("status")).to_contain_text("Rule “Returns” saved.")
    row = page.get_by_test_id("rule")
    expect(row).to_contain_text("Returns")
    expect(row).to_contain_text("The visitor writes")
    rule = in_scope(tenant, Rule.objects.get)
    assert rule.conditions == {
        "match": "all",
        "items": [{"field": "text", "op": "contains", "value": "iade"}],
    }
    assert rule.actions == [
        {"type": "label_add", "label": label.pk},
        {
            "type": "send_message",
            "text": {
                "en": "Returns are free within 30 days.",
                "tr": "30 gün içinde iade ücretsiz.",
            },
        },
    ]
    # It works: the next visitor who writes about a return gets the label and the answer.
    a_conversation(tenant, "İADE nasıl yapılır?")
    page.reload()
    expect(page.get_by_test_id("rule-fired")).to_contain_text("1 time")
    expect(page.get_by_test_id("firing")).to_contain_text("Add a label, Send a message as the bot")
    screenshot(page, "automation-3-listed")


def test_an_action_with_nothing_to_choose_from_says_where_to_make_it(page, login, screenshot):
    """A new workspace has no labels, teams or flows: the action says where to add them
    instead of showing an empty list, and saving it names the missing choice."""
    tenant = in_thread(TenantFactory, name="Lale Home")
    admin = in_thread(member, tenant, Role.ADMIN, language="")
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/automation/new/")
    editor = page.get_by_test_id("rule-editor")
    editor.get_by_label("Name").fill("Tag returns")
    action = editor.locator("[data-action]").first
    for kind, note in (
        ("Notify a team by email", "No teams yet: add them under Settings, Teams."),
        ("Start a flow", "No flows yet: add them on the Flows tab."),
        ("Add a label", "No labels yet: add them under Settings, Labels."),
    ):
        action.get_by_label("Action").select_option(label=kind)
        expect(action.locator(".rule-none")).to_have_text(note)
    screenshot(page, "automation-no-labels-yet")
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rule-error")).to_contain_text("Choose a label of this workspace.")
    assert in_scope(tenant, Rule.objects.count) == 0


def test_a_visitor_who_stays_on_a_page_is_greeted_by_a_rule(asgi_page, screenshot):
    tenant = in_thread(TenantFactory, name="Lale Home")

    def save():
        from apps.automation import services

        return services.rule_save(
            tenant_id=tenant.pk,
            data={
                "name": "Shop help",
                "trigger": "page_time",
                "trigger_value": 2,
                "conditions": {
                    "match": "all",
                    "items": [{"field": "page", "op": "contains", "value": "/demo"}],
                },
                "actions": [
                    {
                        "type": "open_widget",
                        "text": {
                            "en": "Looking for something?",
                            "tr": "Bir şey mi arıyorsunuz?",
                        },
                    }
                ],
            },
        )

    in_scope(tenant, save)
    widget = Widget(asgi_page(locale="tr-TR"))
    widget.launcher = widget.page.get_by_role("button", name=tenant.name)
    widget.goto(f"/demo/?key={tenant.widget_key}")
    expect(widget.launcher).to_be_visible()
    expect(widget.iframe).to_be_hidden()
    # Two seconds on the page: the chat window opens by itself, with the greeting.
    expect(widget.iframe).to_be_visible(timeout=20_000)
    expect(widget.frame.locator("#log .row.welcome")).to_contain_text("Bir şey mi arıyorsunuz?")
    screenshot(widget.page, "automation-4-greeting")
    widget.say("Evet, yıllık paket var mı?")

    def note():
        with scope(tenant=tenant):
            return Activity.objects.filter(kind="note").first()

    found = wait_for(lambda: in_thread(note))
    assert found.body == "The chat window greeted the visitor: “Bir şey mi arıyorsunuz?”"


def test_a_visitor_walks_through_a_flow_with_buttons_and_a_question_and_reaches_the_team(
    asgi_page, screenshot
):
    from apps.automation import services
    from apps.conversations.models import Conversation
    from apps.tenants.models import Team

    tenant = in_thread(TenantFactory, name="Lale Home")

    def make():
        team = Team.objects.create(tenant=tenant, name="Returns")
        definition = {
            "start": "welcome",
            "steps": [
                {
                    "id": "welcome",
                    "type": "buttons",
                    "text": {"en": "How can we help?"},
                    "buttons": [
                        {"label": {"en": "Order status"}, "next": "bye"},
                        {"label": {"en": "Returns"}, "next": "email"},
                    ],
                },
                {
                    "id": "email",
                    "type": "input",
                    "kind": "email",
                    "attribute": "email",
                    "text": {"en": "Which email address did you order with?"},
                    "next": "person",
                },
                {
                    "id": "person",
                    "type": "handoff",
                    "team": team.pk,
                    "text": {"en": "Thanks! Someone from the returns team will answer here."},
                },
                {"id": "bye", "type": "end", "text": {"en": "Your order ships today."}},
            ],
        }
        flow = services.flow_save(
            tenant_id=tenant.pk,
            data={
                "key": "returns",
                "name": "Returns",
                "definition": definition,
                "welcome_label": {"en": "Return an item"},
            },
        )
        services.flow_publish(flow=flow)

    in_scope(tenant, make)
    widget = Widget(asgi_page())
    widget.launcher = widget.page.get_by_role("button", name=tenant.name)
    widget.goto(f"/demo/?key={tenant.widget_key}")
    expect(widget.launcher).to_be_visible()
    widget.page.evaluate("Sohbet('startFlow', 'returns')")  # the site's own "Returns" link
    expect(widget.iframe).to_be_visible()
    question = widget.frame.get_by_role("group", name="How can we help?")
    expect(question.get_by_role("button")).to_have_text(["Order status", "Returns"])
    screenshot(widget.page, "automation-5-flow-buttons")
    # By keyboard, as a screen-reader user would.
    question.get_by_role("button", name="Returns").focus()
    widget.page.keyboard.press("Enter")
    expect(widget.mine.last.locator(".bubble")).to_have_text("Returns")
    expect(widget.theirs.last).to_contain_text("Which email address did you order with?")
    expect(question).to_be_hidden()  # answered: the buttons go
    widget.say("not an address")
    expect(widget.theirs.last).to_contain_text("That does not look like an email address.")
    widget.say("ayse@example.com")
    # Nobody of the team is online: the step's "Someone from the returns team will answer
    # here." would not come true. The visitor reads what will, above the card that asks
    # for the address to answer at (the thread keeps to its end as the card opens).
    told = widget.theirs.last
    expect(told).to_contain_text("Nobody from the team is available right now.")
    expect(widget.frame.get_by_role("heading", name="Get the reply by email")).to_be_visible()
    expect(told).to_be_in_viewport()
    screenshot(widget.page, "automation-6-flow-handoff")

    def handed():
        with scope(tenant=tenant):
            conversation = Conversation.objects.select_related("team").get()
            note = Activity.objects.filter(kind="note").first()
            return (conversation, note) if not conversation.bot_holds and note else None

    conversation, note = wait_for(lambda: in_thread(handed))
    assert conversation.waiting_since is not None and conversation.team.name == "Returns"
    assert note.body.endswith("• Which email address did you order with? ayse@example.com")

    # The team's inbox: what was offered, what the visitor chose and typed, and the answers.
    from tests.browser.conftest import log_in
    from tests.browser.test_inbox import Inbox
    from tests.factories import PASSWORD

    operator = in_thread(member, tenant, Role.ADMIN, full_name="Mehmet Yılmaz")
    inbox_page = asgi_page()
    log_in(inbox_page, operator.user.email, PASSWORD)
    inbox = Inbox(inbox_page, tenant.slug)
    inbox.open(f"{conversation.number}/")
    log = inbox.messages
    expect(log).to_contain_text("Buttons offered: Order status · Returns")
    expect(log).to_contain_text("Returns")
    expect(log).to_contain_text("The flow “Returns” took the chat")
    expect(log).not_to_contain_text("Handed back to the bot")  # nobody had handed it over
    expect(log).to_contain_text("A flow handed this to people")
    expect(log).to_contain_text("Which email address did you order with? ayse@example.com")
    screenshot(inbox_page, "automation-8-inbox-handoff")


def test_a_welcome_button_starts_a_flow_whose_messages_say_they_are_automated(asgi_page):
    from apps.automation import services

    tenant = in_thread(TenantFactory, name="Lale Home")

    def make():
        flow = services.flow_save(
            tenant_id=tenant.pk,
            data={
                "key": "hours",
                "name": "Opening hours",
                "welcome_label": {"en": "Opening hours", "tr": "Çalışma saatleri"},
                "definition": {
                    "steps": [
                        {
                            "id": "say",
                            "type": "end",
                            "text": {"en": "We are open 9:00-18:00.", "tr": "09:00-18:00 açığız."},
                        }
                    ]
                },
            },
        )
        services.flow_publish(flow=flow)

    in_scope(tenant, make)
    widget = Widget(asgi_page(locale="tr-TR"))
    widget.launcher = widget.page.get_by_role("button", name=tenant.name)
    widget.goto(f"/demo/?key={tenant.widget_key}").open()
    button = widget.frame.locator("#log .row.welcome").get_by_role(
        "button", name="Çalışma saatleri"
    )
    button.click()
    answer = widget.theirs.last
    expect(answer.locator(".bubble")).to_have_text("09:00-18:00 açığız.")
    expect(answer.locator(".name")).to_contain_text("Otomatik")  # automated, said so
    expect(button).to_be_hidden()


def test_an_admin_builds_a_flow_in_the_editor_and_a_visitor_goes_through_it(
    asgi_page, login, screenshot
):
    from apps.automation.models import Flow
    from apps.conversations.models import Conversation

    tenant = in_thread(TenantFactory, name="Lale Home")
    admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya", language="")
    page = asgi_page()
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/automation/")
    page.get_by_test_id("automation-tabs").get_by_role("link", name="Flows").click()
    page.get_by_test_id("flow-new").click()
    page.get_by_label("Name", exact=True).fill("Returns")
    page.get_by_label("Key", exact=True).fill("returns")
    page.get_by_label("English", exact=True).fill("Start a return")  # the welcome button

    editor = page.get_by_test_id("flow-editor")
    cards = editor.get_by_test_id("flow-card")

    def add(kind: str):
        editor.get_by_label("Kind of step", exact=True).last.select_option(label=kind)
        editor.get_by_test_id("flow-add-step").click()

    add("Ask with buttons")
    add("Ask for an answer")
    add("Hand over to people")
    expect(cards).to_have_count(3)
    first, second, third = cards.nth(0), cards.nth(1), cards.nth(2)
    first.get_by_label("In English").first.fill("Which order is it about?")
    first.get_by_role("button", name="Add a button").click()
    first.get_by_label("In English").nth(1).fill("My latest order")
    first.get_by_label("Then").select_option("step-2")
    second.get_by_label("In English").fill("Which email address did you order with?")
    second.get_by_label("Kind of answer").select_option(label="An email address")
    second.get_by_label("Kept in the visitor attribute").fill("email")
    second.get_by_label("Kept in the visitor attribute").press("Tab")
    third.get_by_label("In English").fill("Thanks! The returns team will answer here.")
    expect(second.get_by_label("Then")).to_have_value("step-3")  # a new step follows on

    # The preview plays the draft in the page.
    preview = page.get_by_test_id("flow-preview")
    preview.get_by_role("button", name="Start again").click()
    preview.get_by_role("button", name="My latest order").click()
    expect(preview).to_contain_text("Which email address did you order with?")
    preview.get_by_label("Your answer").fill("ayse@example.com")
    preview.get_by_role("button", name="Send").click()
    expect(preview).to_contain_text("(handed to the team)")
    screenshot(page, "automation-7-flow-editor")

    page.get_by_test_id("flow-publish").click()
    expect(page.get_by_role("status")).to_contain_text("published as version 1")
    flow = in_scope(tenant, lambda: Flow.objects.select_related("published").get())
    assert [s["type"] for s in flow.published.definition["steps"]] == [
        "buttons",
        "input",
        "handoff",
    ]

    # A visitor starts it from the welcome message and goes through it.
    widget = Widget(asgi_page())
    widget.launcher = widget.page.get_by_role("button", name=tenant.name)
    widget.goto(f"/demo/?key={tenant.widget_key}").open()
    widget.frame.get_by_role("button", name="Start a return").click()
    widget.frame.get_by_role("button", name="My latest order").click()
    expect(widget.theirs.last).to_contain_text("Which email address did you order with?")
    widget.say("ayse@example.com")
    # Nobody online: the answer comes by email, whatever the step says.
    expect(widget.theirs.last).to_contain_text("Nobody from the team is available right now.")

    def handed():
        with scope(tenant=tenant):
            conversation = Conversation.objects.get()
            note = Activity.objects.filter(kind="note").first()
            return note if not conversation.bot_holds and note else None

    note = wait_for(lambda: in_thread(handed))
    assert note.body.endswith("• Which email address did you order with? ayse@example.com")


def test_the_flow_editor_flags_a_step_whose_label_was_deleted(page, login):
    from apps.automation import services
    from apps.automation.models import Flow

    tenant = in_thread(TenantFactory, name="Lale Home")
    admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya", language="")

    def make():
        label = Label.objects.create(tenant=tenant, name="Returns")
        flow = services.flow_save(
            tenant_id=tenant.pk,
            data={
                "key": "tag",
                "name": "Tag",
                "definition": {
                    "steps": [
                        {"id": "tag", "type": "label", "label": label.pk, "next": "bye"},
                        {"id": "bye", "type": "end"},
                    ]
                },
            },
        )
        label.delete()
        return flow.pk

    flow_id = in_scope(tenant, make)
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/automation/flows/{flow_id}/")
    expect(page.get_by_test_id("flow-step-deleted")).to_contain_text("was deleted")
    page.get_by_test_id("flow-save").click()  # saving as it is is refused, naming the step
    expect(page.get_by_test_id("flow-error")).to_contain_text("Choose a label of this workspace.")
    assert in_scope(tenant, lambda: Flow.objects.get().draft["steps"][0]["label"]) is not None


def test_a_branch_step_takes_its_conditions_from_the_same_lists_as_a_rule(page, login):
    from apps.automation.models import Flow

    tenant = in_thread(TenantFactory, name="Lale Home")
    admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya", language="")
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/automation/flows/new/")
    page.get_by_label("Name", exact=True).fill("By language")
    page.get_by_label("Key", exact=True).fill("by-language")
    editor = page.get_by_test_id("flow-editor")
    for kind in ("Branch on a condition", "End", "End"):
        editor.get_by_label("Kind of step", exact=True).last.select_option(label=kind)
        editor.get_by_test_id("flow-add-step").click()
    branch = editor.get_by_test_id("flow-card").first
    branch.get_by_role("button", name="Add a condition").click()
    condition = branch.locator("[data-condition]")
    condition.get_by_label("What").select_option(label="Visitor's language")
    condition.get_by_label("Value").select_option(label="Turkish")
    branch.get_by_label("Then", exact=True).select_option("step-2")
    branch.get_by_label("Otherwise", exact=True).select_option("step-3")
    page.get_by_test_id("flow-save").click()
    expect(page.get_by_role("status")).to_contain_text("saved as a draft")
    draft = in_scope(tenant, lambda: Flow.objects.get().draft)
    assert draft["steps"][0] == {
        "id": "step-1",
        "type": "branch",
        "conditions": {
            "match": "all",
            "items": [{"field": "language", "op": "is", "value": "tr"}],
        },
        "next": "step-2",
        "else": "step-3",
    }
