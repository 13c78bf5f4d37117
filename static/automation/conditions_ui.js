// The conditions of a rule (or of a flow's branch): all or any of a list of conditions, one
// level of groups, each drawn from the catalogue's fields with the operators and values that
// fit. ``group`` draws them, ``readGroup`` reads them back as JSON, ``mark`` shows which held
// ("test against a conversation").
import { el, input, labelled, select, valueControl } from "./controls.js";

export function conditionsUI(cat, s) {
  const fields = Object.fromEntries(cat.fields.map((f) => [f.name, f]));


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
  return { group, readGroup, mark, removeButton };
}
