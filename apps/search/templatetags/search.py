"""``{% search_field %}`` and ``{% search_strings_json %}`` for the inbox template, so the inbox
view needs no change to carry the search (its strings are rendered here)."""

from django import template
from django.utils.html import json_script

from apps.search.strings import search_strings

register = template.Library()


@register.inclusion_tag("search/field.html")
def search_field() -> dict:
    return {"search": search_strings()}


@register.simple_tag
def search_strings_json() -> str:
    return json_script(search_strings(), "search-strings")
