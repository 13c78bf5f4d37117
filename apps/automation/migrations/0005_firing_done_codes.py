"""A firing's record of its actions becomes codes the rules page words in the reader's
language ({"type": ..., "skipped": code | "failed": true}) instead of English lines."""

from django.db import migrations

SKIPPED = {
    "no conversation": "no_conversation",
    "no visitor": "no_visitor",
    "the flow is not published": "flow_unpublished",
    "the visitor started a flow": "flow_started",
    "people or another flow have it": "flow_busy",
    "the team was deleted": "team_deleted",
}


def _entry(line, action) -> dict:
    if isinstance(line, dict):
        return line
    line = str(line)
    if line.startswith("failed: "):
        return {"type": line.removeprefix("failed: "), "failed": True}
    if line.startswith("skipped: "):
        reason = line.removeprefix("skipped: ")
        kind = action.get("type", "") if isinstance(action, dict) else ""
        return {"type": kind, "skipped": SKIPPED.get(reason, reason)}
    return {"type": line.split(" ", 1)[0]}


def forwards(apps, schema_editor):
    Firing = apps.get_model("automation", "Firing")
    for firing in Firing.objects.select_related("rule").iterator():
        rule_actions = firing.rule.actions if firing.rule_id else []
        done = [
            _entry(line, rule_actions[i] if i < len(rule_actions) else {})
            for i, line in enumerate(firing.done)
        ]
        if done != firing.done:
            Firing.objects.filter(pk=firing.pk).update(done=done)


class Migration(migrations.Migration):
    dependencies = [("automation", "0004_flow_welcome_button")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
