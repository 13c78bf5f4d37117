import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedTextField
from apps.core.models import TenantOwned


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def new_widget_key() -> str:
    return "wk_" + secrets.token_urlsafe(24)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an operator, a workspace admin or owner, or platform staff.

    Email is the login. One user may belong to several workspaces, with a role in each.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(
        _("interface language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty means the browser's language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Tenant(models.Model):
    """A workspace: one business, its members, its widget and its data."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    widget_key = models.CharField(
        _("public widget key"), max_length=40, unique=True, default=new_widget_key, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    # The last conversation number handed out (numbers are per workspace, 1, 2, 3…).
    conversation_seq = models.PositiveIntegerField(default=0, editable=False)

    class Visibility(models.TextChoices):
        ALL = "all", _("Every operator sees every conversation")
        TEAMS = "teams", _("Operators see their own and their teams' conversations")

    conversation_visibility = models.CharField(
        _("conversation visibility"),
        max_length=8,
        choices=Visibility.choices,
        default=Visibility.ALL,
        help_text=_("Admins and owners always see every conversation."),
    )
    auto_assign = models.BooleanField(
        _("assign new conversations automatically"),
        default=True,
        help_text=_("Round robin among online operators who have room (their capacity)."),
    )
    typing_preview = models.BooleanField(
        _("show operators what visitors are typing"),
        default=True,
        help_text=_(
            "Operators see a visitor's message before it is sent; the chat window says so."
        ),
    )

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    OPERATOR = "operator", _("Operator")


ROLE_RANK = {Role.OPERATOR: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Team(TenantOwned):
    """A group of operators (Sales, Billing…). Conversations can be routed to a team."""

    name = models.CharField(_("name"), max_length=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "tenant", name="team_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_CAPACITY = 5


class Membership(TenantOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("teams")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=DEFAULT_CAPACITY,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "How many open conversations are assigned to this member automatically at most "
            "(0: none)."
        ),
    )
    # Round robin: the member assigned longest ago goes first.
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # {"new_conversation": {"desktop": bool, "sound": bool}, "mine": {...}, "mention": {...}}
    notify = models.JSONField(_("notification preferences"), default=dict, blank=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Invitation(TenantOwned):
    """A single-use invitation to join a workspace. Only a hash of the token is stored."""

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class SignupRequest(models.Model):
    """A business signing up, until the owner opens the link sent to their email address: then
    the account and the workspace are made. Only a hash of the link's token is kept, and the
    password only as its hash."""

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=150)
    password = models.CharField(_("password"), max_length=128)
    workspace_name = models.CharField(_("workspace name"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("signup waiting for its email address")
        verbose_name_plural = _("signups waiting for their email address")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.workspace_name})"


def new_identity_secret() -> str:
    return "is_" + secrets.token_urlsafe(32)


def avatar_upload_to(instance: "WidgetSettings", filename: str) -> str:
    return f"avatars/{secrets.token_urlsafe(16)}.png"


class WidgetSettings(TenantOwned):
    """How a workspace's chat widget looks and behaves. One row per workspace."""

    class Position(models.TextChoices):
        RIGHT = "right", _("Bottom right")
        LEFT = "left", _("Bottom left")

    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#2563eb",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #2563eb.")),
        ],
    )
    position = models.CharField(
        _("position"), max_length=8, choices=Position.choices, default=Position.RIGHT
    )
    launcher_text = models.CharField(_("launcher text"), max_length=40, blank=True)
    welcome_title = models.CharField(_("welcome title"), max_length=80, blank=True)
    welcome_message = models.TextField(_("welcome message"), max_length=500, blank=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("The name operators and the bot appear under. Empty: the workspace name."),
    )
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    allowed_origins = models.TextField(
        _("allowed sites"),
        blank=True,
        help_text=_(
            "One site per line, like https://www.example.com. Only these sites may show the "
            "chat. Empty: any site."
        ),
    )
    identity_secret = EncryptedTextField(_("identity secret"), default=new_identity_secret)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When a person last saved these settings on their page; empty while the widget still has
    # the texts every new workspace gets (the home page's checklist asks).
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("widget settings")
        verbose_name_plural = _("widget settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="widget_settings_one_per_tenant")
        ]

    def __str__(self) -> str:
        return f"widget settings ({self.tenant_id})"

    @property
    def origins(self) -> list[str]:
        return origins_list(self.allowed_origins)


def origins_list(text: str) -> list[str]:
    """The sites of ``WidgetSettings.allowed_origins``: one origin per line."""
    return [line.strip() for line in text.splitlines() if line.strip()]
