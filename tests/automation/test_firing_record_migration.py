"""A firing's record of what its actions did was English lines ("skipped: no visitor"); it
became codes the rules page words in the admin's language. Records made before keep saying
what happened."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django_scopes import scopes_disabled

from apps.automation.actions import outcome_text
from apps.automation.models import Firing

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_english_lines_of_earlier_firings_become_codes_worded_in_the_readers_language():
    executor = MigrationExecutor(connection)
    before = [("automation", "0004_flow_welcome_button")]
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        tenant = old.get_model("tenants", "Tenant").objects.create(name="Lale", slug="lale")
        rule = old.get_model("automation", "Rule").objects.create(
            tenant=tenant,
            name="Returns",
            trigger="visitor_message",
            actions=[
                {"type": "assign", "to": "team", "value": 1},
                {"type": "start_flow", "flow": "welcome"},
                {"type": "note", "text": "Look"},
                {"type": "notify_team", "team": 1},
            ],
        )
        old.get_model("automation", "Firing").objects.create(
            tenant=tenant,
            rule=rule,
            key="e1",
            done=[
                "assign team",
                "skipped: the flow is not published",
                "failed: note",
                "notify_team 2",
            ],
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    with scopes_disabled():
        firing = Firing.objects.get()
    assert firing.done == [
        {"type": "assign"},
        {"type": "start_flow", "skipped": "flow_unpublished"},
        {"type": "note", "failed": True},
        {"type": "notify_team"},
    ]
    assert [outcome_text(entry) for entry in firing.done] == [
        "Assign",
        "Start a flow (skipped: the flow is not published)",
        "Add a private note (failed)",
        "Notify a team by email",
    ]
    with translation.override("tr"):
        assert "(atlandı" in outcome_text(firing.done[1])
