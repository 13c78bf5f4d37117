"""``{% canned_picker_data %}``: the picker's strings and configuration as json_script blocks,
so the inbox page needs no change to its view to host the picker."""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse

from apps.canned.strings import picker_strings

register = template.Library()


@register.inclusion_tag("canned/picker_data.html", takes_context=True)
def canned_picker_data(context) -> dict:
    request = context["request"]
    slug = request.tenant.slug
    return {
        "canned_strings": picker_strings(),
        "canned_config": {
            "list_url": reverse("canned:api_list", kwargs={"slug": slug}),
            "use_url": reverse("canned:api_use", kwargs={"slug": slug, "response_id": 0}).replace(
                "/0/", "/{id}/"
            ),
            "manage_url": reverse("canned:list", kwargs={"slug": slug}),
            "csrf_token": get_token(request),
        },
    }
