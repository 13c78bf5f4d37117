"""Every write about workspaces, members, invitations and users.

Errors a person can fix raise ``ValidationError`` (shown as a form error); actions the actor's
role does not allow raise ``PermissionDenied`` (a 403 page). Nothing is written when either is
raised.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from apps.core import events, realtime
from apps.core.crypto import hash_token
from apps.core.errors import Refusal
from apps.core.services import email_enqueue
from apps.tenants.models import (
    Invitation,
    Membership,
    Role,
    SignupRequest,
    Team,
    Tenant,
    User,
    WidgetSettings,
    new_identity_secret,
)
from apps.tenants.selectors import NOTIFY_KINDS, notify_prefs, signup_request_by_token

RESERVED_SLUGS = {"new", "admin", "api", "static", "media", "app", "www", "settings"}


# Letters that Unicode normalisation does not reduce to ASCII (slugify would drop them).
_TRANSLITERATE = str.maketrans({"ı": "i", "İ": "I", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d"})


# The event recorded when someone joins, leaves or changes role (apps.core.events).
MEMBERSHIP_CHANGED = "membership.changed"  # user, role (None: removed), previous, actor


def _unique_slug(name: str) -> str:
    base = slugify(name.translate(_TRANSLITERATE))[:40].strip("-") or "workspace"
    if base in RESERVED_SLUGS:
        base = f"{base}-team"
    candidate = base
    while Tenant.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


# --- Users ----------------------------------------------------------------------------------


def user_create(*, email: str, password: str, full_name: str, language: str = "") -> User:
    email = User.objects.normalize_email(email).strip().lower()
    candidate = User(email=email, full_name=full_name.strip(), language=language)
    errors: dict[str, list] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("An account with this email address already exists.")]
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = error.error_list
    if errors:
        raise ValidationError(errors)
    candidate.set_password(password)
    candidate.full_clean()
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"email": _("An account with this email address already exists.")}
        ) from exc
    return candidate


def user_update_profile(*, user: User, full_name: str, language: str) -> User:
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    user.full_name = full_name.strip()
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "language"])
    return user


# --- Workspaces -----------------------------------------------------------------------------


@transaction.atomic
def tenant_create(
    *, name: str, owner: User, timezone_name: str = "UTC", language: str = "en"
) -> Tenant:
    name = name.strip()
    if not name:
        raise ValidationError({"workspace_name": _("Give the workspace a name.")})
    tenant = Tenant(
        name=name, slug=_unique_slug(name), timezone=timezone_name, default_language=language
    )
    tenant.full_clean()
    tenant.save()
    with scope(tenant=tenant):
        membership = Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        WidgetSettings.objects.create(tenant=tenant, **_widget_texts(tenant))
        _membership_changed(membership, role=Role.OWNER, previous=None, actor=None)
    return tenant


def _widget_texts(tenant: Tenant) -> dict[str, str]:
    """A new workspace's chat window looks finished: a launcher text, a greeting and a welcome
    in every language Sohbet speaks, the workspace's name in them (edited on the widget's
    settings page). The welcome promises no reply time: it shows while nobody is online too,
    and the window's header says when the team is away."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[f"launcher_text_{code}"] = _("Chat with us")
            texts[f"welcome_title_{code}"] = _("Hi there 👋")
            texts[f"welcome_message_{code}"] = _(
                "Ask us anything: the %(workspace)s team will get back to you."
            ) % {"workspace": tenant.name}
    return texts


# --- Signup ---------------------------------------------------------------------------------
# A business signs up with an email address and a password; the account and the workspace are
# made once the address is confirmed. Whether the address already has an account shows only in
# the mailbox: the form's answer is the same either way.


def signup_request(
    *,
    full_name: str,
    email: str,
    password: str,
    workspace_name: str,
    language: str = "en",
    timezone_name: str = "UTC",
    confirm_url_template: str,
    login_url: str,
    reset_url: str,
) -> None:
    """Ask for a workspace: one email goes to ``email`` and the caller shows the same next page,
    whether the address has an account or not. A new address gets a link
    (``confirm_url_template`` with ``{token}``) that makes the account and the workspace
    (``signup_confirm``); an address with an account is told so, with ``login_url`` and
    ``reset_url``. Errors a person can fix (a weak password, no workspace name) raise
    ``ValidationError`` before anything else, and never depend on the address."""
    email = User.objects.normalize_email(email).strip().lower()
    full_name = full_name.strip()
    workspace_name = workspace_name.strip()
    errors: dict[str, list] = {}
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as error:
        errors["password"] = error.error_list
    if not workspace_name:
        errors["workspace_name"] = [_("Give the workspace a name.")]
    if errors:
        raise ValidationError(errors)
    # Hashed for either kind of address: the answer takes as long either way.
    password_hash = make_password(password)
    now = timezone.now()
    SignupRequest.objects.filter(expires_at__lte=now).delete()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        with translation.override(existing.language or translation.get_language()):
            subject = _("Your Sohbet account")
            body = render_to_string(
                "emails/signup_existing.txt",
                {"login_url": login_url, "reset_url": reset_url, "workspace_name": workspace_name},
            )
        email_enqueue(subject=subject, body=body, to=[existing.email])
        return
    raw_token = secrets.token_urlsafe(32)
    pending = SignupRequest.objects.create(
        email=email,
        full_name=full_name,
        password=password_hash,
        workspace_name=workspace_name,
        timezone=timezone_name,
        language=language,
        token_hash=hash_token(raw_token),
        expires_at=now + timedelta(days=settings.SIGNUP_TTL_DAYS),
    )
    subject = _("Confirm your email address to create %(workspace)s on Sohbet") % {
        "workspace": workspace_name
    }
    body = render_to_string(
        "emails/signup_confirm.txt",
        {"confirm_url": confirm_url_template.replace("{token}", raw_token), "signup": pending},
    )
    email_enqueue(subject=subject, body=body, to=[email])


@transaction.atomic
def signup_confirm(*, raw_token: str) -> tuple[User, Tenant]:
    """The link from ``signup_request`` was opened: make the owner's account and the workspace,
    in one transaction. The link works once; every other pending signup of the address ends."""
    pending = signup_request_by_token(raw_token=raw_token, lock=True)
    if pending is None:
        raise ValidationError(
            _("This link is not valid or has expired. Sign up again, or log in."), code="invalid"
        )
    if User.objects.filter(email__iexact=pending.email).exists():
        raise ValidationError(
            _("An account with this email address already exists. Log in to use it."),
            code="exists",
        )
    user = User(email=pending.email, full_name=pending.full_name, password=pending.password)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same address confirmed twice at once
        raise ValidationError(
            _("An account with this email address already exists. Log in to use it."),
            code="exists",
        ) from exc
    tenant = tenant_create(
        name=pending.workspace_name,
        owner=user,
        timezone_name=pending.timezone,
        language=pending.language,
    )
    SignupRequest.objects.filter(email__iexact=pending.email).delete()
    return user, tenant


def tenant_update_settings(
    *, actor: Membership, tenant: Tenant, name: str, timezone_name: str, default_language: str
) -> Tenant:
    _require_role(actor, Role.ADMIN)
    tenant.name = name.strip()
    tenant.timezone = timezone_name
    tenant.default_language = default_language
    tenant.full_clean()
    tenant.save(update_fields=["name", "timezone", "default_language", "updated_at"])
    return tenant


def tenant_suspend(*, tenant: Tenant) -> Tenant:
    """Platform staff only (Django admin): members see a 'suspended' page, public endpoints
    refuse service. Nothing is deleted."""
    tenant.status = Tenant.Status.SUSPENDED
    tenant.suspended_at = timezone.now()
    tenant.save(update_fields=["status", "suspended_at", "updated_at"])
    access_changed(realtime.group_inbox(tenant.pk))
    return tenant


def tenant_reactivate(*, tenant: Tenant) -> Tenant:
    tenant.status = Tenant.Status.ACTIVE
    tenant.suspended_at = None
    tenant.save(update_fields=["status", "suspended_at", "updated_at"])
    return tenant


# --- Members --------------------------------------------------------------------------------


def _require_role(actor: Membership, minimum: str) -> None:
    if not actor.has_role(minimum):
        raise PermissionDenied(_("Only workspace owners and admins can do this."))


def _require_can_manage(actor: Membership, *, current_role: str, new_role: str | None) -> None:
    """Admins manage admins and operators; only owners touch owners."""
    _require_role(actor, Role.ADMIN)
    touches_owner = current_role == Role.OWNER or new_role == Role.OWNER
    if touches_owner and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can change or remove an owner."))


def _lock_owner_ids(tenant: Tenant) -> list[int]:
    return list(
        Membership.objects.select_for_update()
        .filter(tenant=tenant, role=Role.OWNER)
        .values_list("id", flat=True)
    )


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if membership.tenant_id != actor.tenant_id:
        raise PermissionDenied
    _require_can_manage(actor, current_role=membership.role, new_role=role)
    owner_ids = _lock_owner_ids(membership.tenant)
    membership.refresh_from_db(fields=["role"])
    if membership.role == Role.OWNER and role != Role.OWNER and owner_ids == [membership.id]:
        raise ValidationError(
            {"role": _("A workspace needs at least one owner. Make someone else owner first.")}
        )
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    if role != previous:
        _membership_changed(membership, role=role, previous=previous, actor=actor)
        access_changed(realtime.group_operator(membership.tenant_id, membership.user_id))
    return membership


def _membership_changed(membership: Membership, *, role, previous, actor) -> None:
    """Record in the event stream that someone joined, left or changed role."""
    events.record(
        MEMBERSHIP_CHANGED,
        tenant_id=membership.tenant_id,
        stream=events.workspace_stream(membership.tenant_id),
        user=membership.user_id,
        role=role,
        previous=previous,
        actor=actor.user_id if actor is not None else None,
    )


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    if membership.tenant_id != actor.tenant_id:
        raise PermissionDenied
    if membership.id != actor.id:
        _require_can_manage(actor, current_role=membership.role, new_role=None)
    owner_ids = _lock_owner_ids(membership.tenant)
    membership.refresh_from_db(fields=["role"])
    if membership.role == Role.OWNER and owner_ids == [membership.id]:
        raise ValidationError(_("The last owner cannot be removed. Make someone else owner first."))
    membership.delete()
    _membership_changed(membership, role=None, previous=membership.role, actor=actor)
    # Open inbox sockets of that person close at once (DESIGN.md §7).
    realtime.publish_on_commit(
        realtime.group_operator(membership.tenant_id, membership.user_id),
        {"type": "access.revoked"},
    )


def access_changed(group: str) -> None:
    """After commit, the open inbox sockets in ``group`` read again who their person is and
    what they may see: the session (signed out? the password changed since?), the account,
    the membership and its role and teams, the workspace. A socket whose access ended closes;
    one whose sight changed tells its page (apps.conversations.consumers.inbox)."""
    realtime.publish_on_commit(group, {"type": "access.changed"})


def user_signed_out(*, user: User) -> None:
    """The inbox sockets of the session that signed out close (called by the logout view);
    the person's other sessions keep theirs."""
    access_changed(realtime.group_user(user.pk))


def user_set_active(*, user: User, active: bool) -> User:
    """Platform staff (Django admin): a deactivated account can no longer sign in, and its
    pages and open inbox sockets end (``user_changed``)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def user_changed(*, user: User) -> None:
    """A person's account changed (a password set, the account deactivated, by whatever path:
    their own pages, platform staff in Django admin, a management command): their open inbox
    sockets check their sessions again, so a password change ends the other sessions' sockets
    as it ends their pages, and a deactivated account's sockets close."""
    access_changed(realtime.group_user(user.pk))


# --- Widget settings ------------------------------------------------------------------------


def widget_settings_get(*, tenant: Tenant) -> WidgetSettings:
    """The workspace's widget settings, created with defaults on first use. Inside the scope."""
    settings_row = WidgetSettings.objects.filter(tenant=tenant).first()
    if settings_row is None:
        try:
            with transaction.atomic():
                settings_row = WidgetSettings.objects.create(tenant=tenant)
        except IntegrityError:
            settings_row = WidgetSettings.objects.get(tenant=tenant)
    return settings_row


def widget_settings_update(
    *, actor: Membership, widget: WidgetSettings, **fields
) -> WidgetSettings:
    _require_role(actor, Role.ADMIN)
    for name, value in fields.items():
        setattr(widget, name, value)
    widget.edited_at = timezone.now()
    widget.full_clean()
    widget.save()
    return widget


def widget_identity_secret_regenerate(
    *, actor: Membership, widget: WidgetSettings
) -> WidgetSettings:
    _require_role(actor, Role.ADMIN)
    widget.identity_secret = new_identity_secret()
    widget.save(update_fields=["identity_secret", "updated_at"])
    return widget


# --- Invitations ----------------------------------------------------------------------------


def invitation_create(
    *, actor: Membership, email: str, role: str, accept_url_template: str
) -> Invitation:
    """Invite someone by email. ``accept_url_template`` is an absolute URL with ``{token}``.

    A pending invitation for the same address is replaced (its link stops working).
    """
    _require_role(actor, Role.ADMIN)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Role.OWNER and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can invite another owner."))
    email = User.objects.normalize_email(email).strip().lower()
    tenant = actor.tenant
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the workspace.")})

    raw_token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            tenant=tenant, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            token_hash=hash_token(raw_token),
            invited_by=actor.user,
            expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
        )
        accept_url = accept_url_template.replace("{token}", raw_token)
        with translation.override(tenant.default_language):
            context = {
                "invitation": invitation,
                "tenant": tenant,
                "inviter": actor.user,
                "accept_url": accept_url,
                "role_label": invitation.get_role_display(),
            }
            subject = _("%(name)s invited you to %(workspace)s on Sohbet") % {
                "name": actor.user.get_full_name(),
                "workspace": tenant.name,
            }
            body = render_to_string("emails/invitation.txt", context)
        email_enqueue(subject=subject, body=body, to=[email])
    return invitation


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    _require_role(actor, Role.ADMIN)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _check_invitation_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn."), code="revoked")
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired."), code="expired")


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """An existing, signed-in user accepts. The invitation is single-use even under races."""
    with scopes_disabled():  # the token already identified the workspace
        invitation = (
            Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
        )
    _check_invitation_usable(invitation)
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email},
            code="wrong_user",
        )
    tenant = invitation.tenant
    with scope(tenant=tenant):
        membership, created = Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": invitation.role}
        )
        if created:
            _membership_changed(membership, role=membership.role, previous=None, actor=None)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept_new_user(
    *, invitation: Invitation, full_name: str, password: str
) -> tuple[User, Membership]:
    """Someone without an account accepts: the account is created for the invited address."""
    with scopes_disabled():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_invitation_usable(locked)
    user = user_create(email=locked.email, password=password, full_name=full_name)
    return user, invitation_accept(invitation=locked, user=user)


# --- Teams, capacity and the inbox's settings ------------------------------------------------

# Recorded when who can take which conversations changes: a team's members, a member's capacity,
# the workspace's assignment settings. The conversations app assigns its waiting queue on it.
ASSIGNMENT_CHANGED = "workspace.assignment_changed"  # what: "team", "capacity" or "settings"


class SettingsError(Refusal):
    """A refused change of the inbox's settings: a code and a message for the person; nothing
    changed."""


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise SettingsError("forbidden", _("Only workspace owners and admins can do this."))


def _publish_roster(tenant_id: int) -> None:
    """After commit, the open inboxes read the roster (teams, members, settings) again."""
    realtime.publish_on_commit(realtime.group_inbox(tenant_id), {"type": "inbox.roster"})


def _assignment_changed(tenant_id: int, what: str) -> None:
    events.record(
        ASSIGNMENT_CHANGED,
        tenant_id=tenant_id,
        stream=events.workspace_stream(tenant_id),
        what=what,
    )


def _team(team_id) -> Team:
    if not isinstance(team_id, int) or isinstance(team_id, bool):
        raise SettingsError("invalid", _("Choose a team of this workspace."), field="team")
    team = Team.objects.filter(pk=team_id).first()  # scoped: another workspace's team is absent
    if team is None:
        raise SettingsError("unknown_team", _("No such team in this workspace."), field="team")
    return team


def _member(tenant_id: int, user_id, *, lock: bool = False) -> Membership:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise SettingsError("invalid", _("Choose a member of this workspace."), field="member")
    members = Membership.objects.filter(tenant_id=tenant_id, user_id=user_id)
    if lock:
        members = members.select_for_update()
    member = members.first()
    if member is None:
        raise SettingsError(
            "not_a_member", _("That person is not a member of this workspace."), field="member"
        )
    return member


def _clean_team_name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingsError("invalid", _("Give it a name."), field="name")
    value = " ".join(value.split())
    if len(value) > 60:
        raise SettingsError(
            "too_long", _("Names have %(n)s characters at most.") % {"n": 60}, field="name"
        )
    return value


@transaction.atomic
def team_create(*, membership: Membership, name) -> Team:
    _require_admin(membership)
    team = Team(tenant_id=membership.tenant_id, name=_clean_team_name(name))
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise SettingsError(
            "duplicate", _("A team with this name already exists."), field="name"
        ) from None
    _publish_roster(membership.tenant_id)
    return team


@transaction.atomic
def team_delete(*, membership: Membership, team_id) -> None:
    _require_admin(membership)
    _team(team_id).delete()
    _publish_roster(membership.tenant_id)


@transaction.atomic
def team_set_members(*, membership: Membership, team_id, user_ids) -> Team:
    _require_admin(membership)
    team = _team(team_id)
    if not isinstance(user_ids, list | tuple | set):
        raise SettingsError("invalid", _("Choose members of this workspace."), field="members")
    members = list(Membership.objects.filter(user_id__in=list(user_ids)))
    if len(members) != len(set(user_ids)):
        raise SettingsError(
            "not_a_member", _("That person is not a member of this workspace."), field="members"
        )
    team.members.set(members)
    _publish_roster(membership.tenant_id)
    _assignment_changed(membership.tenant_id, "team")
    return team


@transaction.atomic
def member_set_capacity(*, membership: Membership, user_id, capacity) -> Membership:
    _require_admin(membership)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= 100:
        raise SettingsError("invalid", _("Capacity is a number from 0 to 100."), field="capacity")
    member = _member(membership.tenant_id, user_id, lock=True)
    member.capacity = capacity
    member.save(update_fields=["capacity", "updated_at"])
    _assignment_changed(membership.tenant_id, "capacity")
    return member


@transaction.atomic
def members_configure(
    *, membership: Membership, capacities: dict[int, int], team_members: dict[int, list[int]]
) -> None:
    """The settings page's members table in one go: capacity per member (user id → number) and
    each team's members (team id → user ids). All or nothing: one bad value changes nothing."""
    _require_admin(membership)
    for user_id, capacity in capacities.items():
        member = _member(membership.tenant_id, user_id)
        if capacity != member.capacity:
            member_set_capacity(membership=membership, user_id=user_id, capacity=capacity)
    for team_id, user_ids in team_members.items():
        team_set_members(membership=membership, team_id=team_id, user_ids=user_ids)


@transaction.atomic
def inbox_settings_update(
    *, membership: Membership, visibility=None, auto_assign=None, typing_preview=None
) -> Tenant:
    _require_admin(membership)
    tenant = Tenant.objects.get(pk=membership.tenant_id)
    fields = []
    if visibility is not None:
        if visibility not in Tenant.Visibility.values:
            raise SettingsError("invalid", _("Unknown visibility."), field="visibility")
        tenant.conversation_visibility = visibility
        fields.append("conversation_visibility")
    for name, value in (("auto_assign", auto_assign), ("typing_preview", typing_preview)):
        if value is not None:
            setattr(tenant, name, bool(value))
            fields.append(name)
    if fields:
        tenant.save(update_fields=[*fields, "updated_at"])
        _publish_roster(tenant.pk)
        if tenant.auto_assign:
            _assignment_changed(tenant.pk, "settings")
    return tenant


def notify_prefs_update(*, membership: Membership, prefs) -> dict:
    """An operator's own notification choices: for each of new_conversation, mine, mention,
    desktop and sound on or off."""
    if not isinstance(prefs, dict):
        raise SettingsError("invalid", _("Preferences must be an object."), field="prefs")
    clean = notify_prefs(membership)
    for kind, channels in prefs.items():
        if kind not in NOTIFY_KINDS or not isinstance(channels, dict):
            raise SettingsError(
                "invalid",
                _("Unknown notification: %(kind)s.") % {"kind": str(kind)[:40]},
                field="prefs",
            )
        for channel, on in channels.items():
            if channel not in ("desktop", "sound") or not isinstance(on, bool):
                raise SettingsError(
                    "invalid",
                    _("Unknown notification setting: %(name)s.") % {"name": str(channel)[:40]},
                    field="prefs",
                )
            clean[kind][channel] = on
    Membership.objects.filter(pk=membership.pk).update(notify=clean)
    membership.notify = clean
    return clean
