"""The bot's settings, saved by an admin."""

from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from apps.bot import retrieval
from apps.bot.models import BOT_NAME_MAX, BotSettings
from apps.core import outbound
from apps.core.errors import Refusal

LLM_URL_MAX = BotSettings._meta.get_field("llm_base_url").max_length
LLM_MODEL_MAX = BotSettings._meta.get_field("llm_model").max_length
LLM_KEY_MAX = 500


class SettingsError(Refusal):
    """Refused settings; nothing changed."""


def bot_settings_update(*, tenant_id: int, mode: str, name: str) -> BotSettings:
    if mode not in BotSettings.Mode.values:
        raise SettingsError("invalid", _("Choose when the bot answers."), field="mode")
    name = (name or "").strip()
    if len(name) > BOT_NAME_MAX:
        raise SettingsError(
            "too_long",
            _("The name is too long: %(n)s characters at most.") % {"n": BOT_NAME_MAX},
            field="name",
        )
    with transaction.atomic():
        settings, _created = BotSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        settings.mode = mode
        settings.name = name
        settings.save(update_fields=["mode", "name", "updated_at"])
    return settings


SYNONYM_LINES_MAX = 300
SYNONYM_LINE_MAX = 500


def bot_synonyms_update(*, tenant_id: int, synonyms: str) -> BotSettings:
    """The workspace's own words that mean the same (``retrieval.synonym_groups``): one group
    of two or more words or phrases per line, separated by commas. Saving rebuilds the index."""
    lines = [" ".join(line.split()) for line in (synonyms or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > SYNONYM_LINES_MAX:
        raise SettingsError(
            "too_long",
            _("Too many lines: %(n)s at most.") % {"n": SYNONYM_LINES_MAX},
            field="synonyms",
        )
    for number, line in enumerate(lines, start=1):
        if len(line) > SYNONYM_LINE_MAX:
            raise SettingsError(
                "too_long",
                _("Line %(line)s is too long: %(n)s characters at most.")
                % {"line": number, "n": SYNONYM_LINE_MAX},
                field="synonyms",
            )
        if len(retrieval.synonym_members(line)) < 2:
            raise SettingsError(
                "invalid",
                _("Line %(line)s: give two or more words or phrases, separated by commas.")
                % {"line": number},
                field="synonyms",
            )
    with transaction.atomic():
        settings, _created = BotSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        settings.synonyms = "\n".join(lines)
        settings.kb_version += 1  # every process rebuilds its index with them
        settings.save(update_fields=["synonyms", "kb_version", "updated_at"])
    return settings


def _too_long(field: str, limit: int) -> SettingsError:
    return SettingsError(
        "too_long", _("Too long: %(n)s characters at most.") % {"n": limit}, field=field
    )


def _checked_base_url(base_url: str) -> str:
    base_url = (base_url or "").strip()
    if not base_url:
        return ""
    if len(base_url) > LLM_URL_MAX:
        raise _too_long("llm_base_url", LLM_URL_MAX)
    try:
        URLValidator(schemes=["http", "https"])(base_url)
        outbound.check_url(base_url)
    except ValidationError as exc:
        raise SettingsError(
            "invalid",
            _("Enter an http:// or https:// address, such as https://api.example.com/v1."),
            field="llm_base_url",
        ) from exc
    except outbound.OutboundRefused as exc:
        raise SettingsError(
            "refused",
            _("Sohbet does not call local or private addresses: enter the model's public address."),
            field="llm_base_url",
        ) from exc
    return base_url


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.scheme.lower(), (parts.hostname or "").rstrip("."), port)


def bot_llm_update(
    *,
    tenant_id: int,
    enabled: bool,
    base_url: str,
    model: str,
    key: str = "",
    clear_key: bool = False,
) -> BotSettings:
    """The optional language model's settings (services/phrasing.py). An empty ``key`` keeps
    the saved one, unless the address moves to another host; ``clear_key`` removes it. An
    empty address (and model) means the platform's."""
    base_url = _checked_base_url(base_url)
    model = (model or "").strip()
    if len(model) > LLM_MODEL_MAX:
        raise _too_long("llm_model", LLM_MODEL_MAX)
    key = (key or "").strip()
    if len(key) > LLM_KEY_MAX:
        raise _too_long("llm_key", LLM_KEY_MAX)
    if enabled and not (base_url or django_settings.BOT_LLM_BASE_URL):
        raise SettingsError(
            "required", _("Enter the address of the model's API."), field="llm_base_url"
        )
    if enabled and not (model or django_settings.BOT_LLM_MODEL):
        raise SettingsError("required", _("Enter the model's name."), field="llm_model")
    with transaction.atomic():
        settings, _created = BotSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        # A saved key goes only to the host it was saved for: another host needs it again.
        moved = _origin(base_url) != _origin(settings.llm_base_url)
        settings.llm_enabled = enabled
        settings.llm_base_url = base_url
        settings.llm_model = model
        if key:
            settings.llm_key = key
        elif clear_key or moved:
            settings.llm_key = ""
        settings.save(
            update_fields=["llm_enabled", "llm_base_url", "llm_model", "llm_key", "updated_at"]
        )
    return settings
