// The flow editor (Settings -> Automation -> a flow): the steps as cards an admin adds, moves,
// changes and removes, with where each leads; steps nothing leads to are marked. It writes the
// definition into the form's JSON field, which the server checks whole on saving (an error
// names the step's field). Without this script the JSON field is edited as it is.
import { conditionsUI } from "./conditions_ui.js";
import { el, input, labelled, select, textarea } from "./controls.js";
import { preview } from "./flow_preview.js";

const form = document.querySelector("[data-flow-form]");

function json(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

if (form) {
  const field = form.querySelector("#flow-definition");
  const cat = json("flow-catalogue");
  const s = json("flow-strings");
  const conditions = conditionsUI(cat, s);
  let flow;
  try {
    flow = JSON.parse(field.value || "{}");
  } catch {
    flow = null; // not JSON (a refused save): the admin fixes it in the field itself
  }
  if (flow && typeof flow === "object") {
    flow.steps = Array.isArray(flow.steps) ? flow.steps : [];
    start(flow);
  }

  function start(data) {
    const root = el("div", { className: "flow-editor", dataset: { testid: "flow-editor" } });
    field.closest(".field").hidden = true;
    field.closest(".field").after(root);
    const LEADS = { message: ["next"], input: ["next"], label: ["next"], attribute: ["next"], branch: ["next", "else"], search: ["next", "else"], webhook: ["next", "else"] };
    const TEXTS = ["message", "buttons", "input", "handoff", "end"];

    const save = () => {
      field.value = JSON.stringify(data, null, 2);
    };

    const ids = () => data.steps.map((st) => st.id);
    const stepOptions = () => [{ value: "", label: s.end_of_flow }].concat(ids().map((id) => ({ value: id, label: id })));

    function leadsOf(st) {
      const found = (LEADS[st.type] || []).map((k) => st[k]);
      for (const b of st.buttons || []) found.push(b.next);
      return found.filter(Boolean);
    }

    function lost() {
      const seen = new Set();
      const todo = [data.start || (data.steps[0] && data.steps[0].id)];
      while (todo.length) {
        const id = todo.pop();
        const st = data.steps.find((x) => x.id === id);
        if (!st || seen.has(id)) continue;
        seen.add(id);
        todo.push(...leadsOf(st));
      }
      return new Set(ids().filter((id) => !seen.has(id)));
    }

    function bind(control, read) {
      control.addEventListener("change", () => { read(control); save(); draw(); });
      return control;
    }

    function texts(st, key, box) {
      st[key] = st[key] && typeof st[key] === "object" ? st[key] : {};
      for (const lang of cat.languages) {
        const area = textarea(st[key][lang.value], { maxlength: "2000", dataset: { key: `${key}.${lang.value}` } });
        area.addEventListener("input", () => { st[key][lang.value] = area.value; save(); });
        box.append(labelled(s.texts[lang.value], area));
      }
    }

    function leadSelect(st, key, text) {
      return labelled(text, bind(select(stepOptions(), st[key] || "", { dataset: { key } }), (c) => { st[key] = c.value; }));
    }

    function card(st, index, lostIds) {
      const li = el("li", { className: "flow-step" + (lostIds.has(st.id) ? " is-lost" : ""), dataset: { step: st.id, testid: "flow-card" } });
      const head = el("div", { className: "rule-row" });
      const id = input(st.id, { type: "text", maxlength: "50", pattern: "[a-z0-9_-]+", dataset: { key: "id" } });
      bind(id, (c) => {
        const old = st.id;
        st.id = c.value.trim().toLowerCase();
        for (const other of data.steps) {
          for (const k of ["next", "else"]) if (other[k] === old) other[k] = st.id;
          for (const b of other.buttons || []) if (b.next === old) b.next = st.id;
        }
        if (data.start === old) data.start = st.id;
      });
      head.append(labelled(s.id, id));
      head.append(labelled(s.type, bind(select(cat.types, st.type, { dataset: { key: "type" } }), (c) => { st.type = c.value; })));
      const move = (by) => {
        const to = index + by;
        if (to < 0 || to >= data.steps.length) return;
        data.steps.splice(index, 1);
        data.steps.splice(to, 0, st);
        save();
        draw();
      };
      const up = el("button", { type: "button", className: "secondary small", text: "↑", "aria-label": s.up });
      up.addEventListener("click", () => move(-1));
      const down = el("button", { type: "button", className: "secondary small", text: "↓", "aria-label": s.down });
      down.addEventListener("click", () => move(1));
      const remove = el("button", { type: "button", className: "secondary small", text: s.remove });
      remove.addEventListener("click", () => { data.steps.splice(index, 1); save(); draw(); });
      head.append(up, down, remove);
      li.append(head);
      if (lostIds.has(st.id)) li.append(el("p", { className: "flow-warning", text: s.lost }));
      const nowhere = (LEADS[st.type] || []).some((k) => !st[k]) || (st.buttons || []).some((b) => !b.next) ||
        (st.type === "buttons" && !(st.buttons || []).length);
      if (nowhere) li.append(el("p", { className: "flow-warning", text: s.nowhere, dataset: { testid: "flow-step-nowhere" } }));
      const gone = (list, id) => id !== undefined && id !== null && id !== "" && !list.some((x) => x.value === id);
      if ((st.type === "label" && gone(cat.labels, st.label)) || (st.type === "handoff" && gone(cat.teams, st.team))) {
        li.append(el("p", { className: "flow-warning", text: s.deleted, dataset: { testid: "flow-step-deleted" } }));
      }

      const body = el("div", { className: "rule-row" });
      if (TEXTS.includes(st.type)) texts(st, "text", body);
      if (st.type === "buttons") {
        st.buttons = Array.isArray(st.buttons) ? st.buttons : [];
        st.buttons.forEach((b, j) => {
          const row = el("div", { className: "rule-row flow-button", dataset: { button: j } });
          row.append(el("strong", { text: `${s.button} ${j + 1}` }));
          texts(b, "label", row);
          row.append(leadSelect(b, "next", s.next));
          const drop = el("button", { type: "button", className: "secondary small", text: s.remove });
          drop.addEventListener("click", () => { st.buttons.splice(j, 1); save(); draw(); });
          row.append(drop);
          body.append(row);
        });
        const add = el("button", { type: "button", className: "secondary small", text: s.add_button });
        add.addEventListener("click", () => { st.buttons.push({ label: {}, next: "" }); save(); draw(); });
        body.append(add);
      }
      if (st.type === "input") {
        body.append(labelled(s.kind, bind(select(cat.kinds, st.kind || "text", { dataset: { key: "kind" } }), (c) => { st.kind = c.value; })));
        body.append(labelled(s.attribute, bind(input(st.attribute, { type: "text", maxlength: "50", dataset: { key: "attribute" } }), (c) => { st.attribute = c.value; })));
        if (st.kind === "choice") {
          body.append(labelled(s.choices, bind(textarea((st.choices || []).join("\n"), { dataset: { key: "choices" } }), (c) => {
            st.choices = c.value.split("\n").map((x) => x.trim()).filter(Boolean);
          })));
        }
      }
      if (st.type === "branch") {
        const given = st.conditions && Array.isArray(st.conditions.items) ? st.conditions : { match: "all", items: [] };
        const box = conditions.group(given, false);
        box.dataset.key = "conditions";
        const sync = () => { st.conditions = conditions.readGroup(box); save(); };
        for (const type of ["change", "input", "click"]) box.addEventListener(type, sync);
        st.conditions = conditions.readGroup(box);
        body.append(box);
      }
      if (st.type === "label") {
        body.append(labelled(s.label, bind(select(cat.labels, st.label, { dataset: { key: "label" } }), (c) => { st.label = Number(c.value); })));
      }
      if (st.type === "attribute") {
        body.append(labelled(s.attribute_name, bind(input(st.name, { type: "text", maxlength: "50", dataset: { key: "name" } }), (c) => { st.name = c.value; })));
        body.append(labelled(s.value, bind(input(st.value, { type: "text", maxlength: "500", dataset: { key: "value" } }), (c) => { st.value = c.value; })));
      }
      if (st.type === "handoff") {
        const teams = [{ value: "", label: s.no_team }].concat(cat.teams);
        body.append(labelled(s.team, bind(select(teams, st.team || "", { dataset: { key: "team" } }), (c) => {
          if (c.value) st.team = Number(c.value); else delete st.team;
        })));
      }
      if (st.type === "webhook") {
        body.append(labelled(s.url, bind(input(st.url, { type: "url", maxlength: "500", dataset: { key: "url" } }), (c) => { st.url = c.value; })));
      }
      for (const key of LEADS[st.type] || []) body.append(leadSelect(st, key, s[key]));
      li.append(body);
      return li;
    }

    function draw() {
      const focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement.closest("[data-step]") : null;
      const focusStep = focused && focused.dataset.step;
      root.replaceChildren();
      const first = data.steps[0] ? data.steps[0].id : "";
      const startSelect = bind(select(ids().map((id) => ({ value: id, label: id })), data.start || first, { dataset: { key: "start" } }), (c) => { data.start = c.value; });
      root.append(el("p", { className: "rule-head" }, labelled(s.start, startSelect)));
      const lostIds = lost();
      const list = el("ol", { className: "flow-outline" });
      data.steps.forEach((st, i) => list.append(card(st, i, lostIds)));
      root.append(list);
      const kind = select(cat.types, "message", { "aria-label": s.type });
      const add = el("button", { type: "button", className: "secondary", text: s.add_step, dataset: { testid: "flow-add-step" } });
      add.addEventListener("click", () => {
        let n = data.steps.length + 1;
        while (ids().includes(`step-${n}`)) n += 1;
        const st = { id: `step-${n}`, type: kind.value };
        const last = data.steps[data.steps.length - 1];
        if (last && LEADS[last.type] && !last.next) last.next = st.id; // the new step follows on
        data.steps.push(st);
        if (!data.start) data.start = st.id;
        save();
        draw();
        root.querySelector(`[data-step="${CSS.escape(st.id)}"] [data-key="id"]`).focus();
      });
      root.append(el("p", { className: "rule-add" }, kind, " ", add));
      root.append(preview(data, cat, s));
      if (focusStep) {
        const again = root.querySelector(`[data-step="${CSS.escape(focusStep)}"] select, [data-step="${CSS.escape(focusStep)}"] input`);
        if (again) again.focus();
      }
    }

    save();
    draw();
    // The server's refusal names a field ("steps.2.next", "steps.0.buttons.1.label.en"): mark it.
    const error = document.querySelector("[data-testid=flow-error]");
    const where = error ? (error.dataset.field || "").split(".") : [];
    if (where[0] === "steps" && where.length > 1) {
      const cardEl = root.querySelectorAll("[data-testid=flow-card]")[Number(where[1])];
      let target = null;
      if (cardEl && where[2] === "buttons") {
        const button = cardEl.querySelector(`[data-button="${Number(where[3])}"]`);
        target = button && button.querySelector(`[data-key="${CSS.escape(where.slice(4).join("."))}"]`);
      } else if (cardEl) {
        target = cardEl.querySelector(`[data-key="${CSS.escape(where.slice(2).join("."))}"]`) ||
          cardEl.querySelector(`[data-key^="${CSS.escape(where[2] || "")}"]`);
      }
      if (target) {
        target.setAttribute("aria-invalid", "true");
        target.focus();
      }
    }
  }
}
