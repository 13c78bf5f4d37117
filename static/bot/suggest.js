/*
 * The knowledge base's answers to the visitor's last message, above the inbox composer: the
 * bot's retrieval as a suggestion for people. "Insert" puts an answer into the reply box, to
 * edit and send. Talks to the page only through the inbox's api.js (static/inbox/api.js);
 * entries are workspace text, shown through text nodes only.
 */
import * as inbox from "../inbox/api.js";

const CONFIG = (inbox.config.scripts || []).find(function (s) { return s.key === "bot"; }) || null;
const T = (CONFIG && CONFIG.strings) || {};
const el = inbox.el;

let box = null;
let shownFor = null; // "number:message" of what the box shows
let asking = 0;

function hide() {
  shownFor = null;
  if (box) { box.hidden = true; inbox.clear(box); }
}

// The thread keeps to its end as the box opens or grows (static/inbox/conversation.js).
function fill(data) {
  inbox.clear(box);
  const items = Array.isArray(data.suggestions) ? data.suggestions : [];
  if (!items.length) { box.hidden = true; return; }
  box.appendChild(el("p", { className: "kb-suggest-title" }, inbox.str(T.title)));
  const list = el("ul", { className: "kb-suggest-list" });
  items.forEach(function (s) {
    const answer = inbox.str(s.answer);
    const percent = Math.round((Number(s.score) || 0) * 100);
    list.appendChild(el("li", { className: "kb-suggest-item" },
      el("div", { className: "kb-suggest-text" },
        el("strong", null, inbox.str(s.question)),
        el("span", { className: "kb-suggest-score" }, " " + inbox.str(T.score).replace("{percent}", percent)),
        el("p", { className: "kb-suggest-answer" }, answer)),
      el("button", {
        type: "button",
        className: "small",
        "aria-label": inbox.str(T.insert) + ": " + inbox.str(s.question),
        onclick: function () { inbox.insertText(answer); },
      }, inbox.str(T.insert))));
  });
  box.appendChild(list);
  box.hidden = false;
}

function load(number) {
  if (!CONFIG || !box) return;
  if (number === null || number === undefined) { hide(); return; }
  const ask = ++asking;
  fetch(CONFIG.url.replace("{number}", String(number)), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      const current = inbox.current();
      if (ask !== asking || !data || !current || current.number !== number) return;
      const key = number + ":" + data.message;
      if (key === shownFor) return;
      shownFor = key;
      fill(data);
    })
    .catch(function () { /* a suggestion is a nicety: nothing to tell */ });
}

function init() {
  const reach = document.getElementById("inbox-reach");
  if (!CONFIG || !reach) return;
  box = el("section", { className: "kb-suggest", "aria-label": inbox.str(T.title), dataset: { testid: "kb-suggest" } });
  box.hidden = true;
  reach.parentNode.insertBefore(box, reach);
  inbox.on("open", function (number) { hide(); load(number); });
  inbox.on("frame", function (f) {
    const current = inbox.current();
    if (f.type === "message" && current && f.message && f.message.sender === "visitor"
      && f.conversation && f.conversation.number === current.number) load(current.number);
  });
  const current = inbox.current();
  if (current) load(current.number);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
