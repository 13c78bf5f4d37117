import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.tenants.models import Invitation, Membership, Role, User
from tests.factories import PASSWORD, TenantFactory, UserFactory, member
from tests.utils import page_text, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return member(TenantFactory(name="Acme"), Role.OWNER, full_name="Olcay Owner")


def invite(client, owner, email="new@example.com", role="operator", capture=None):
    client.force_login(owner.user)
    return client.post(
        reverse("tenants:member_invite", kwargs={"slug": owner.tenant.slug}),
        {"email": email, "role": role},
    )


def accept_path(message) -> str:
    match = re.search(r"http://testserver(/invite/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invite_sends_email_with_single_use_link_and_stores_only_a_hash(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, owner)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert "Olcay Owner invited you to Acme" in message.subject
    path = accept_path(message)
    raw_token = path.split("/")[2]
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert raw_token not in invitation.token_hash and len(raw_token) >= 40
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    members_page = client.get(reverse("tenants:members", kwargs={"slug": owner.tenant.slug}))
    assert "new@example.com" in page_text(members_page)


def test_new_person_creates_account_through_the_link(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, role="admin")
    path = accept_path(mail.outbox[0])
    client.logout()
    form = client.get(path)
    assert form.status_code == 200
    assert "This invitation is for new@example.com, as Admin." in page_text(form)
    response = client.post(path, {"full_name": "Nur New", "password": "another-fine-secret"})
    assert response.status_code == 302
    assert response.url == reverse("tenants:dashboard", kwargs={"slug": owner.tenant.slug})
    user = User.objects.get(email="new@example.com")
    with scope(tenant=owner.tenant):
        assert Membership.objects.get(user=user).role == Role.ADMIN
    # The same link again: a clear page, nothing changes.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in page_text(again)


def test_bad_password_on_accept_keeps_invitation_usable(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner)
    path = accept_path(mail.outbox[0])
    client.logout()
    response = client.post(path, {"full_name": "Nur", "password": "123"})
    assert response.status_code == 400
    assert "too short" in page_text(response)
    assert not User.objects.filter(email="new@example.com").exists()
    assert (
        client.post(path, {"full_name": "Nur", "password": "good-long-secret-1"}).status_code == 302
    )


def test_existing_user_logs_in_then_joins(client, owner, django_capture_on_commit_callbacks):
    existing = UserFactory(email="known@example.com")
    member(TenantFactory(), Role.OWNER)  # another workspace exists too
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, email="known@example.com")
    path = accept_path(mail.outbox[0])
    client.logout()
    prompt = client.get(path)
    assert "Log in to accept" in page_text(prompt)
    client.post(reverse("login"), {"username": "known@example.com", "password": PASSWORD})
    response = client.post(path)
    assert response.status_code == 302
    with scope(tenant=owner.tenant):
        assert Membership.objects.filter(user=existing).exists()


def test_signed_in_as_someone_else_cannot_accept(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, email="intended@example.com")
    path = accept_path(mail.outbox[0])
    intruder = UserFactory(email="intruder@example.com")
    client.force_login(intruder)
    page = client.get(path)
    assert "You are signed in as intruder@example.com" in page_text(page)
    response = client.post(path)
    assert response.status_code == 409
    with scope(tenant=owner.tenant):
        assert not Membership.objects.filter(user=intruder).exists()


def test_expired_revoked_and_unknown_links_get_clear_pages(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, email="late@example.com")
        invite(client, owner, email="withdrawn@example.com")
    late, withdrawn = (accept_path(m) for m in mail.outbox)
    with scopes_disabled():
        Invitation.objects.filter(email="late@example.com").update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        revoked = Invitation.objects.get(email="withdrawn@example.com")
    client.post(
        reverse(
            "tenants:invitation_revoke",
            kwargs={"slug": owner.tenant.slug, "invitation_id": revoked.pk},
        )
    )
    client.logout()
    expired_page = client.get(late)
    assert expired_page.status_code == 410
    assert "expired" in page_text(expired_page)
    withdrawn_page = client.get(withdrawn)
    assert withdrawn_page.status_code == 410
    assert "withdrawn" in page_text(withdrawn_page)
    unknown = client.get("/invite/not-a-real-token/")
    assert unknown.status_code == 404
    assert "not valid" in page_text(unknown)
    assert (
        client.post(late, {"full_name": "X", "password": "good-long-secret-1"}).status_code == 410
    )
    assert not User.objects.filter(email="late@example.com").exists()


def test_reinvite_replaces_the_old_link(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner)
        invite(client, owner)
    first, second = (accept_path(m) for m in mail.outbox)
    client.logout()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_inviting_a_member_or_bad_email_is_a_form_error(client, owner):
    existing = member(owner.tenant, Role.OPERATOR, email="already@example.com")
    response = invite(client, owner, email=existing.user.email)
    assert response.status_code == 400
    assert "already a member" in page_text(response)
    bad = invite(client, owner, email="not-an-email")
    assert bad.status_code == 400
    assert "Enter a valid email address." in page_text(bad)
    with scopes_disabled():
        assert Invitation.objects.count() == 0


def test_admin_cannot_invite_an_owner(client, owner):
    admin = member(owner.tenant, Role.ADMIN)
    client.force_login(admin.user)
    response = client.post(
        reverse("tenants:member_invite", kwargs={"slug": owner.tenant.slug}),
        {"email": "boss@example.com", "role": "owner"},
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert Invitation.objects.count() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_delivered_by_a_real_celery_worker(celery_worker, owner, client):
    """Through Redis and a worker thread: the request only enqueues after commit."""
    mail.outbox.clear()
    from config.celery import app

    assert not app.conf.task_always_eager  # the request only enqueues; the worker sends
    invite(client, owner, email="queued@example.com")

    wait_for(lambda: mail.outbox, timeout=20)
    assert [m.to for m in mail.outbox] == [["queued@example.com"]]
