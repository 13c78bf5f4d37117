"""Turkish labels start with the right capital.

Django shows a model's and a field's ``verbose_name`` through ``capfirst``, which is
``str.upper`` of the first letter: Turkish "işletim sistemi" would come out as "Işletim
sistemi" (a dotless I) where "İşletim sistemi" is meant. The Turkish catalogue therefore writes
such names with their capital already (a name that starts with "ı" may stay lower case: its
capital is "I"), and every label the forms and the admin show is checked here, in Turkish.
"""

import importlib
import pkgutil
from pathlib import Path

import polib
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import RequestFactory
from django.utils import translation
from django.utils.text import capfirst
from django_scopes import scopes_disabled

import apps
from apps.tenants.models import User

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "tr" / "LC_MESSAGES" / "django.po"


def wrongly_capitalised(name) -> bool:
    """``capfirst`` would give this Turkish text a dotless "I" for its dotted "i"."""
    text = str(name)
    return text.startswith("i")


def test_no_turkish_translation_starts_with_a_dotted_lower_case_i():
    catalogue = polib.pofile(str(CATALOGUE))
    wrong = [
        (entry.msgid, text)
        for entry in catalogue
        if not entry.obsolete
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if wrongly_capitalised(text)
    ]
    assert wrong == [], "write these with a capital İ (capfirst would make it a dotless I)"


def _form_classes():
    for module_info in pkgutil.iter_modules(apps.__path__):
        try:
            module = importlib.import_module(f"apps.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                yield value


def _admin_labels():
    """(where, text, the model field it comes from or None) for what the admin shows: its
    models' names, its lists' column headers and its forms' labels."""
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        where = f"admin {model._meta.label}"
        yield where, model._meta.verbose_name, None
        yield where, model._meta.verbose_name_plural, None
        for name in model_admin.get_list_display(request):
            yield f"{where} column {name}", label_for_field(name, model, model_admin), None
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            yield f"{where} field {name}", field.label, _model_field(model, name)


def _model_field(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _form_labels():
    for form in _form_classes():
        model = getattr(getattr(form, "_meta", None), "model", None)
        for name, field in form.base_fields.items():
            model_field = _model_field(model, name) if model else None
            yield f"{form.__name__}.{name}", field.label, model_field


def shown_with_a_dotless_i(text, model_field) -> bool:
    """``text`` is shown with a dotless I where a dotted İ is meant: a lower-case name (shown
    through ``capfirst``), or a label ``capfirst`` made from its model field's name."""
    if text is None:
        return False
    if wrongly_capitalised(text):
        return True
    if model_field is None:
        return False
    name = str(model_field.verbose_name)
    return wrongly_capitalised(name) and str(text) == capfirst(name)


def test_the_admin_and_the_forms_show_no_dotless_i_for_a_dotted_one(db):
    with translation.override("tr"), scopes_disabled():  # the admin runs unscoped
        labels = [*_admin_labels(), *_form_labels()]
        assert len(labels) > 100  # it looked
        wrong = [
            (where, capfirst(str(text)))
            for where, text, model_field in labels
            if shown_with_a_dotless_i(text, model_field)
        ]
    assert wrong == []


def test_the_check_sees_a_wrong_capital():
    with translation.override("tr"):
        assert capfirst("işletim sistemi") == "Işletim sistemi"  # what the check guards against
        assert wrongly_capitalised("işletim sistemi")
        assert not wrongly_capitalised("İşletim sistemi")
        assert not wrongly_capitalised("ılık")  # its capital is I
        field = models.CharField(name="x", verbose_name="izinler")
        assert shown_with_a_dotless_i("Izinler", field)
        assert not shown_with_a_dotless_i("İzinler", field)
