// The rule editor (Settings -> Automation -> a rule): name, trigger, conditions (one level of
// groups) and actions drawn from the catalogue the page carries, sent to the server as one JSON
// definition in the form's hidden field. The server checks it whole; an error names the field,
// which is marked here. "Test" asks which conditions hold for a conversation, doing nothing.
import { el, input, labelled, select, textarea, valueControl } from "./controls.js";

const form = document.querySelector("[data-rule-form]");

function json(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

if (form) {
  const rule = json("rule-definition");
  const cat = json("rule-catalogue");
  const s = json("rule-strings");
  const fields = Object.fromEntries(cat.fields.map((f) => [f.name, f]));
  const root = form.querySelector("[data-editor]");

  // --- conditions ---------------------------------------------------------------------------

  function conditionRow(item) {
    const row = el("li", { className: "rule-row", dataset: { condition: "" } });
    const fieldSelect = select(
      cat.fields.map((f) => ({ value: f.name, label: f.label })),
      item.field || cat.fields[0].name,
      { dataset: { role: "field" } },
    );
    const slots = el("span", { className: "rule-slots" });
    const draw = (keep) => {
      const spec = fields[fieldSelect.value];
      slots.replaceChildren();
      if (spec.name === "attribute") {
        slots.append(labelled(s.attribute_name, input(keep.name, { type: "text", maxlength: "100", dataset: { role: "name" } })));
      }
      const ops = select(spec.ops, keep.op || spec.ops[0].value, { dataset: { role: "op" } });
      slots.append(labelled(s.op, ops));
      const value = el("span", { className: "rule-value" });
      const drawValue = () => {
        value.replaceChildren();
        if (!spec.valueless.includes(ops.value)) {
          value.append(valueControl(spec.kind, keep.value, cat, s, spec.name));
        }
      };
      ops.addEventListener("change", drawValue);
      drawValue();
      slots.append(value);
    };
    fieldSelect.addEventListener("change", () => draw({}));
    draw(item);
    row.append(labelled(s.field, fieldSelect), slots, removeButton(row));
    return row;
  }

  function group(data, nested) {
    const box = el("fieldset", { className: nested ? "rule-group" : "rule-conditions", dataset: { group: "" } });
    box.append(el("legend", { text: nested ? s.group : s.conditions }));
    const match = select(
      [{ value: "all", label: s.match_all }, { value: "any", label: s.match_any }],
      data.match || "all",
      { dataset: { role: "match" } },
    );
    box.append(labelled(s.match, match));
    const list = el("ul", { className: "rule-list", dataset: { items: "" } });
    for (const item of data.items || []) {
      list.append(item.items ? groupRow(item) : conditionRow(item));
    }
    box.append(list);
    const add = el("button", { type: "button", className: "secondary small", text: s.add_condition });
    add.addEventListener("click", () => {
      const row = conditionRow({});
      list.append(row);
      row.querySelector("select").focus();
    });
    const buttons = el("p", { className: "rule-add" }, add);
    if (!nested) {
      const addGroup = el("button", { type: "button", className: "secondary small", text: s.add_group });
      addGroup.addEventListener("click", () => {
        const row = groupRow({ match: "any", items: [{}] });
        list.append(row);
        row.querySelector("select").focus();
      });
      buttons.append(" ", addGroup);
      box.append(el("p", { className: "help", text: s.conditions_help }));
    }
    box.append(buttons);
    return box;
  }

  function groupRow(data) {
    const row = el("li", { className: "rule-row", dataset: { groupRow: "" } });
    row.append(group(data, true), removeButton(row));
    return row;
  }

  function removeButton(row) {
    const button = el("button", { type: "button", className: "secondary small", text: s.remove });
    button.addEventListener("click", () => row.remove());
    return button;
  }

  function readGroup(box) {
    const items = [];
    for (const row of box.querySelector("[data-items]").children) {
      if (row.dataset.groupRow !== undefined) {
        items.push(readGroup(row.querySelector("[data-group]")));
        continue;
      }
      const item = { field: row.querySelector("[data-role=field]").value, op: row.querySelector("[data-role=op]").value };
      const name = row.querySelector("[data-role=name]");
      if (name) item.name = name.value;
      const value = row.querySelector("[data-role=value]");
      if (value) item.value = value.read();
      items.push(item);
    }
    return { match: box.querySelector("[data-role=match]").value, items: items };
  }

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
          break;
        case "start_flow":
          add("flow", s.flow, select(cat.flows, keep.flow));
          break;
        case "notify_team":
          add("team", s.team, select(cat.teams, keep.team)).dataset.number = "";
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

  function mark(box, items) {
    const rows = box.querySelector(":scope > [data-items]").children;
    items.forEach((item, i) => {
      const row = rows[i];
      if (!row) return;
      row.dataset.test = item.ok ? "holds" : "fails";
      row.append(el("span", { className: "rule-mark", text: item.ok ? "✓ " + s.holds : "✗ " + s.fails }));
      if (item.group) mark(row.querySelector("[data-group]"), item.group);
    });
  }
}
