"""Automation's writes: rules (``rules.py``) and decision-tree flows (``flows.py``)."""

from apps.automation.services.flows import (
    FLOW_STEPS_MAX,
    flow_choose,
    flow_delete,
    flow_import,
    flow_on_visitor_message,
    flow_publish,
    flow_save,
    flow_start,
)
from apps.automation.services.rules import (
    MAX_DEPTH,
    conditions_test,
    greeting_note,
    page_time_reached,
    rule_clean,
    rule_delete,
    rule_fire,
    rule_move,
    rule_save,
    rule_toggle,
    rules_fire,
    silences_fire,
)

__all__ = [
    "FLOW_STEPS_MAX",
    "MAX_DEPTH",
    "conditions_test",
    "flow_choose",
    "flow_delete",
    "flow_import",
    "flow_on_visitor_message",
    "flow_publish",
    "flow_save",
    "flow_start",
    "greeting_note",
    "page_time_reached",
    "rule_clean",
    "rule_delete",
    "rule_fire",
    "rule_move",
    "rule_save",
    "rule_toggle",
    "rules_fire",
    "silences_fire",
]
