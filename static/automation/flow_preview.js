// The flow editor's preview: the draft played in a small chat window on the page, as a visitor
// would go through it, without sending anything anywhere. Steps that need the server
// (branches, the knowledge base, webhooks) take their first way.
import { el } from "./controls.js";

function pick(texts, languages) {
  if (!texts || typeof texts !== "object") return "";
  for (const lang of languages) if (texts[lang.value]) return texts[lang.value];
  return "";
}

export function preview(data, cat, s) {
  const box = el("section", { className: "flow-preview", "aria-label": s.preview, dataset: { testid: "flow-preview" } });
  const log = el("div", { className: "flow-preview-log", role: "log", "aria-live": "polite" });
  const answer = el("input", { type: "text", "aria-label": s.preview_answer });
  const send = el("button", { type: "submit", className: "secondary small", text: s.preview_send });
  const composer = el("form", { className: "rule-row" }, answer, send);
  const restart = el("button", { type: "button", className: "secondary small", text: s.preview_restart });
  box.append(el("h3", { text: s.preview }), el("p", { className: "muted", text: s.preview_help }), log, composer, restart);
  let waiting = null;

  const say = (who, text) => log.append(el("p", { className: `flow-preview-${who}`, text: text }));

  function walk(id) {
    for (let guard = 0; guard < 50; guard += 1) {
      const st = data.steps.find((x) => x.id === id);
      if (!st) return say("note", s.preview_end);
      const text = pick(st.text, cat.languages);
      if (st.type === "buttons") {
        if (text) say("bot", text);
        const row = el("div", { className: "choices" });
        (st.buttons || []).forEach((b) => {
          const btn = el("button", { type: "button", text: pick(b.label, cat.languages) || "…" });
          btn.addEventListener("click", () => {
            row.remove();
            say("visitor", btn.textContent);
            walk(b.next);
          });
          row.append(btn);
        });
        log.append(row);
        return;
      }
      if (st.type === "input") {
        if (text) say("bot", text);
        waiting = st;
        answer.focus();
        return;
      }
      if (text) say("bot", text);
      if (st.type === "handoff") return say("note", s.preview_handoff);
      if (st.type === "end") return say("note", s.preview_end);
      id = st.next;
    }
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!waiting || !answer.value.trim()) return;
    say("visitor", answer.value.trim());
    answer.value = "";
    const st = waiting;
    waiting = null;
    walk(st.next);
  });
  restart.addEventListener("click", () => {
    log.replaceChildren();
    waiting = null;
    walk(data.start || (data.steps[0] && data.steps[0].id));
  });
  walk(data.start || (data.steps[0] && data.steps[0].id));
  return box;
}
