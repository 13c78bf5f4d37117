// The rule editor (Settings -> Automation -> a rule): name, trigger, conditions (one level of
// groups) and actions drawn from the catalogue the page carries, sent to the server as one JSON
// definition in the form's hidden field. The server checks it whole; an error names the field,
// which is marked here. "Test" asks which conditions hold for a conversation, doing nothing.
import { conditionsUI } from "./conditions_ui.js";
import { el, input, labelled, select, textarea } from "./controls.js";

const form = document.querySelector("[data-rule-form]");

function json(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

if (form) {
  const rule = json("rule-definition");
  const cat = json("rule-catalogue");
  const s = json("rule-strings");
  const { group, readGroup, mark, removeButton } = conditionsUI(cat, s);
  const root = form.querySelector("[data-editor]");

  // --- actions ------------------------------------------------------------------------------

  function actionRow(action) {
    const row = el("li", { className: "rule-row", dataset: { action: "" } });
    const type = select(cat.actions, action.type || cat.actions[0].value, { dataset: { role: "type" } });
    const slots = el("span", { className: "rule-slots" });
    const draw = (keep) => {
      slots.replaceChildren();
      const add = (key, text, control) => {
        control.dataset.key = key;
        slots.append(labelled(text, control));
        return control;
      };
      // Nothing to choose from yet: say where it is made, rather than an empty list.
      const none = (options, text) => {
        if (!options.length) slots.append(el("p", { className: "rule-none", text: text }));
      };
      switch (type.value) {
        case "send_message":
          for (const lang of cat.languages) {
            add("text." + lang.value, s.languages[lang.value], textarea((keep.text || {})[lang.value], { maxlength: "2000" }));
          }
          break;
        case "note":
          add("text", s.note_text, textarea(keep.text, { maxlength: "2000" }));
          break;
        case "assign": {
          const to = add("to", s.assign_to, select(cat.assign_to, keep.to || "team"));
          const target = el("span");
          const drawTarget = () => {
            target.replaceChildren();
            const options = to.value === "team" ? cat.teams : to.value === "member" ? cat.members : null;
            if (options) {
              const control = select(options, keep.value);
              control.dataset.key = "value";
              control.dataset.number = "";
              target.append(labelled(s.value, control));
            }
          };
          to.addEventListener("change", drawTarget);
          drawTarget();
          slots.append(target);
          break;
        }
        case "label_add":
        case "label_remove":
          add("label", s.label, select(cat.labels, keep.label)).dataset.number = "";
          none(cat.labels, s.no_labels);
          break;
        case "start_flow":
          add("flow", s.flow, select(cat.flows, keep.flow));
          none(cat.flows, s.no_flows);
          break;
        case "notify_team":
          add("team", s.team, select(cat.teams, keep.team)).dataset.number = "";
          none(cat.teams, s.no_teams);
          break;
        case "set_status": {
          const status = add("status", s.status, select(cat.statuses, keep.status || "pending"));
          const minutes = el("span");
          const drawMinutes = () => {
            minutes.replaceChildren();
            if (status.value === "snoozed") {
              const control = input(keep.minutes || 60, { type: "number", min: "1", step: "1" });
              control.dataset.key = "minutes";
              control.dataset.number = "";
              minutes.append(labelled(s.snooze_minutes, control));
            }
          };
          status.addEventListener("change", drawMinutes);
          drawMinutes();
          slots.append(minutes);
          break;
        }
        case "set_attribute":
          add("name", s.attribute_name, input(keep.name, { type: "text", maxlength: "50" }));
          add("value", s.value, input(keep.value, { type: "text", maxlength: "500" }));
          break;
        default:
          break;
      }
    };
    type.addEventListener("change", () => draw({}));
    draw(action);
    row.append(labelled(s.action, type), slots, removeButton(row));
    return row;
  }

  function readAction(row) {
    const action = { type: row.querySelector("[data-role=type]").value };
    for (const control of row.querySelectorAll("[data-key]")) {
      const key = control.dataset.key;
      let value = control.value;
      if (control.dataset.number !== undefined) value = value === "" ? null : Number(value);
      if (key.startsWith("text.")) {
        action.text = action.text || {};
        action.text[key.slice(5)] = value;
      } else {
        action[key] = value;
      }
    }
    return action;
  }

  // --- the whole rule -----------------------------------------------------------------------

  const name = input(rule.name, { type: "text", maxlength: "100", required: true, dataset: { testid: "rule-name" } });
  const enabled = el("input", { type: "checkbox", role: "switch" });
  enabled.checked = rule.enabled !== false;
  const trigger = select(cat.triggers, rule.trigger, { dataset: { testid: "rule-trigger" } });
  const triggerValue = input(rule.trigger_value, { type: "number", min: "1", step: "1", dataset: { testid: "rule-trigger-value" } });
  const unit = el("span", { className: "rule-unit" });
  const showUnit = () => {
    const spec = cat.triggers.find((t) => t.value === trigger.value);
    unit.hidden = !spec.unit;
    unit.replaceChildren(spec.unit ? labelled(s[spec.unit], triggerValue) : "");
  };
  trigger.addEventListener("change", showUnit);
  showUnit();

  const conditions = group(rule.conditions || { match: "all", items: [] }, false);
  const actions = el("ul", { className: "rule-list", dataset: { actions: "" } });
  for (const action of rule.actions || []) actions.append(actionRow(action));
  if (!actions.children.length) actions.append(actionRow({}));
  const addAction = el("button", { type: "button", className: "secondary small", text: s.add_action });
  addAction.addEventListener("click", () => {
    const row = actionRow({});
    actions.append(row);
    row.querySelector("select").focus();
  });

  root.append(
    el("p", { className: "rule-head" }, labelled(s.name, name), el("label", { className: "check" }, enabled, " " + s.enabled)),
    el("p", { className: "rule-trigger" }, labelled(s.when, trigger), unit),
    conditions,
    el("fieldset", { className: "rule-actions" }, el("legend", { text: s.actions }), actions, el("p", { className: "rule-add" }, addAction)),
  );

  function definition() {
    const spec = cat.triggers.find((t) => t.value === trigger.value);
    return {
      name: name.value,
      enabled: enabled.checked,
      trigger: trigger.value,
      trigger_value: spec.unit ? (triggerValue.value === "" ? null : Number(triggerValue.value)) : null,
      conditions: readGroup(conditions),
      actions: [...actions.children].map(readAction),
    };
  }

  form.addEventListener("submit", () => {
    form.querySelector("[data-definition]").value = JSON.stringify(definition());
  });

  // The server's error names a field ("conditions.1.value", "actions.0.text.tr"): mark it.
  const error = document.querySelector("[data-testid=rule-error]");
  if (error) {
    const target = controlAt(error.dataset.field);
    if (target) {
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", "rule-error");
      error.id = "rule-error";
      target.focus();
    }
  }

  function controlAt(path) {
    const parts = (path || "").split(".");
    if (parts[0] === "name") return name;
    if (parts[0] === "trigger") return trigger;
    if (parts[0] === "trigger_value") return triggerValue;
    if (parts[0] === "actions") {
      const row = actions.children[Number(parts[1])];
      if (!row) return addAction;
      const key = parts.slice(2).join(".");
      return row.querySelector(`[data-key="${CSS.escape(key)}"]`) || row.querySelector("select");
    }
    if (parts[0] === "conditions") {
      let box = conditions;
      let row = null;
      for (const index of parts.slice(1).filter((p) => /^\d+$/.test(p))) {
        row = box.querySelector(":scope > [data-items]").children[Number(index)];
        if (!row) return null;
        if (row.dataset.groupRow !== undefined) box = row.querySelector("[data-group]");
      }
      const role = parts[parts.length - 1];
      return (row && row.querySelector(`[data-role="${CSS.escape(role)}"]`)) || (row && row.querySelector("select"));
    }
    return null;
  }

  // --- test against a conversation ------------------------------------------------------------

  const tester = document.querySelector("[data-rule-test]");
  const result = document.querySelector("[data-test-result]");
  tester.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("number", tester.elements.number.value);
    body.append("definition", JSON.stringify(definition()));
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    let answer;
    try {
      const response = await fetch(form.dataset.testUrl, { method: "POST", body: body, credentials: "same-origin" });
      answer = await response.json();
    } catch {
      result.textContent = s.test_failed;
      return;
    }
    for (const row of conditions.querySelectorAll(".rule-row")) delete row.dataset.test;
    for (const mark of conditions.querySelectorAll(".rule-mark")) mark.remove();
    if (answer.error) {
      result.textContent = answer.message;
      return;
    }
    result.textContent = answer.holds ? s.test_holds : s.test_fails;
    mark(conditions, answer.items);
  });


}
