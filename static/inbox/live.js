/*
 * Sohbet inbox: the live visitors list and proactive chats. Plain JavaScript, no build step.
 *
 * The "Visitors online" button in the inbox bar swaps the conversation list for who is on the
 * workspace's sites right now (docs/widget-protocol.md: live_subscribe, live_visitors,
 * live_visitor, live_left). From a row an operator writes a first message (proactive_start);
 * the conversation then opens in the inbox and the visitor's chat window opens by itself.
 *
 * Talks to the page only through the inbox's api.js. Visitor data
 * reaches the DOM as text only; page links are built with DOM APIs and only for http(s).
 */
import * as inbox from "./api.js";

const el = inbox.el;
const str = inbox.str;
const hostOf = inbox.hostOf;
const safeHttpUrl = inbox.safeHttpUrl;

const t = inbox.strings("visitor-strings");

const REFRESH_MS = 60000; // the full list again: drops anyone whose server died silently
const LEFT_SHOW_MS = 10000; // a visitor who left stays greyed this long (or comes back)
const TICK_MS = 30000;
const ANSWER_MS = 15000;
const STORE_KEY = "sohbet.inbox.live";

const state = {
  on: false,
  loaded: false,
  visitors: new Map(), // id -> row data
  left: new Map(), // id -> timer (rows shown as "left" for a moment)
  forms: new Map(), // id -> {text, error, sending, clientId}
};

const ui = {};
let refreshTimer = null;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------
function pageLink(page) {
  if (!page) return el("span", { className: "muted" }, t("live_no_page"));
  const label = str(page.title) || str(page.url);
  const href = safeHttpUrl(page.url);
  if (!href) return el("span", null, label);
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.textContent = label;
  a.title = str(page.url);
  return a;
}

function duration(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60000);
  let key = "duration_minutes";
  let count = minutes;
  if (minutes < 1) return inbox.t("duration_under_minute");
  if (minutes >= 60 * 24) { key = "duration_days"; count = Math.floor(minutes / 1440); }
  else if (minutes >= 60) { key = "duration_hours"; count = Math.floor(minutes / 60); }
  return inbox.t(key, { count: count });
}

function onSite(v) {
  const since = v.on_site_since ? new Date(v.on_site_since) : null;
  if (!since || isNaN(since.getTime())) return "";
  return t("live_on_site", { duration: duration(Date.now() - since.getTime()) });
}

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return "ext:" + window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return "ext:" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
}

function remember(on) {
  try { sessionStorage.setItem(STORE_KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
}

function remembered() {
  try { return sessionStorage.getItem(STORE_KEY) === "1"; } catch (e) { return false; }
}

// ---------------------------------------------------------------------------------------
// Showing and hiding the list
// ---------------------------------------------------------------------------------------
function setOn(on) {
  state.on = on;
  remember(on);
  ui.toggle.setAttribute("aria-pressed", String(on));
  ui.pane.hidden = !on;
  ui.listPane.hidden = on;
  clearInterval(refreshTimer);
  if (on) {
    subscribe();
    refreshTimer = setInterval(subscribe, REFRESH_MS);
  } else {
    inbox.send({ type: "live_unsubscribe" });
    state.loaded = false;
    ui.count.hidden = true;
  }
  render();
}

function subscribe() {
  inbox.send({ type: "live_subscribe" });
}

// ---------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------
function onFrame(f) {
  switch (f.type) {
    case "live_visitors": return onList(f.visitors);
    case "live_visitor": return onVisitor(f.visitor);
    case "live_left": return onLeft(f.visitor);
    case "proactive_started": return onStarted(f);
    case "error": return onError(f);
    case "conversation": return onConversation(f.conversation);
    default: return;
  }
}

function onList(list) {
  if (!state.on) return;
  const fresh = new Map();
  (Array.isArray(list) ? list : []).forEach(function (v) {
    if (v && typeof v.id === "string") fresh.set(v.id, v);
  });
  // Anyone missing from a full list is gone (a server may have died without a goodbye).
  state.visitors.forEach(function (v, id) {
    if (!fresh.has(id) && !state.left.has(id)) markLeft(id, false);
  });
  fresh.forEach(function (v, id) { clearLeft(id); state.visitors.set(id, v); });
  state.loaded = true;
  render();
}

function onVisitor(v) {
  if (!state.on || !v || typeof v.id !== "string") return;
  clearLeft(v.id);
  state.visitors.set(v.id, v);
  render();
}

function onLeft(id) {
  if (!state.on || typeof id !== "string" || !state.visitors.has(id)) return;
  markLeft(id, true);
}

function markLeft(id, show) {
  clearLeft(id);
  if (!show) {
    state.visitors.delete(id);
    state.forms.delete(id);
    render();
    return;
  }
  // Greyed for a moment: on a page change the visitor's next page says hello right away.
  state.left.set(id, setTimeout(function () {
    state.left.delete(id);
    state.visitors.delete(id);
    if (!state.forms.has(id) || !state.forms.get(id).sending) state.forms.delete(id);
    render();
  }, LEFT_SHOW_MS));
  render();
}

function clearLeft(id) {
  if (state.left.has(id)) {
    clearTimeout(state.left.get(id));
    state.left.delete(id);
  }
}

function onConversation(c) {
  // A visitor's conversation opened or closed: the row's button follows.
  if (!c || !c.visitor || !state.visitors.has(c.visitor.id)) return;
  const v = state.visitors.get(c.visitor.id);
  if (c.status === "resolved") {
    if (v.conversation === c.number) v.conversation = null;
  } else {
    v.conversation = c.number;
  }
  render();
}

function formByClientId(cid) {
  let found = null;
  state.forms.forEach(function (form, id) { if (form.clientId === cid) found = { id: id, form: form }; });
  return found;
}

function onStarted(f) {
  const hit = formByClientId(f.client_id);
  if (!hit) return;
  clearTimeout(hit.form.timer);
  state.forms.delete(hit.id);
  const v = state.visitors.get(hit.id);
  if (v && typeof f.conversation === "number") v.conversation = f.conversation;
  render();
  if (typeof f.conversation === "number") inbox.openConversation(f.conversation);
}

function onError(f) {
  if (typeof f.client_id !== "string") return;
  const hit = formByClientId(f.client_id);
  if (!hit) return;
  clearTimeout(hit.form.timer);
  hit.form.sending = false;
  hit.form.error = str(f.message) || inbox.t("error_generic");
  render(hit.id);
}

// ---------------------------------------------------------------------------------------
// Proactive chat
// ---------------------------------------------------------------------------------------
function openForm(id) {
  if (!state.forms.has(id)) state.forms.set(id, { text: "", error: "", sending: false, clientId: null });
  render(id);
}

function closeForm(id) {
  const form = state.forms.get(id);
  if (form) clearTimeout(form.timer);
  state.forms.delete(id);
  render();
  const start = ui.list.querySelector('[data-start="' + CSS.escape(id) + '"]');
  if (start) start.focus();
}

function submitForm(id) {
  const form = state.forms.get(id);
  if (!form || form.sending) return;
  const body = form.text.replace(/^\s+|\s+$/g, "");
  if (!body) return;
  form.clientId = form.clientId || newClientId(); // a retry of the same text is stored once
  form.error = "";
  form.sending = true;
  const sent = inbox.send({ type: "proactive_start", visitor: id, client_id: form.clientId, body: body });
  if (!sent) {
    form.sending = false;
    form.error = t("live_offline");
  } else {
    clearTimeout(form.timer);
    form.timer = setTimeout(function () {
      if (state.forms.get(id) !== form || !form.sending) return;
      form.sending = false;
      form.error = t("live_no_answer");
      render(id);
    }, ANSWER_MS);
  }
  render(id);
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------
function sorted() {
  return Array.from(state.visitors.values()).sort(function (a, b) {
    return str(b.online_since).localeCompare(str(a.online_since)) || str(a.id).localeCompare(str(b.id));
  });
}

function buildForm(v, form) {
  const textId = "live-msg-" + v.id;
  const errorId = "live-err-" + v.id;
  const text = el("textarea", {
    id: textId,
    rows: "2",
    maxlength: "5000",
    placeholder: t("live_message_placeholder"),
    "aria-describedby": form.error ? errorId : null,
    disabled: form.sending,
    oninput: function (e) { form.text = e.target.value; form.clientId = null; },
    onkeydown: function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitForm(v.id); }
      if (e.key === "Escape") { e.preventDefault(); closeForm(v.id); }
    },
  });
  text.value = form.text;
  return el("form", {
    className: "live-form",
    onsubmit: function (e) { e.preventDefault(); submitForm(v.id); },
  },
    el("label", { for: textId }, t("live_message_label", { name: inbox.visitorLabel(v) })),
    text,
    form.error ? el("p", { id: errorId, className: "inline-error", role: "alert" }, form.error) : null,
    el("div", { className: "live-form-actions" },
      el("button", { type: "submit", className: "small", disabled: form.sending }, form.sending ? t("live_sending") : t("live_send")),
      el("button", { type: "button", className: "small link", onclick: function () { closeForm(v.id); } }, t("live_cancel"))
    )
  );
}

function buildRow(v) {
  const left = state.left.has(v.id);
  const form = state.forms.get(v.id);
  const details = [onSite(v), str(v.browser), str(v.language)].filter(Boolean).join(" · ");
  let action;
  if (typeof v.conversation === "number") {
    action = el("button", {
      type: "button", className: "small secondary",
      onclick: function () { inbox.openConversation(v.conversation); },
    }, t("live_open", { number: v.conversation }));
  } else if (!form && !left) {
    action = el("button", {
      type: "button", className: "small", dataset: { start: v.id },
      onclick: function () { openForm(v.id); },
    }, t("live_start"));
  }
  return el("li", {
    className: "live-row" + (left ? " is-left" : ""),
    dataset: { visitor: v.id, state: left ? "left" : "online" },
  },
    el("div", { className: "live-top" },
      el("span", { className: "live-name" }, inbox.visitorLabel(v)),
      v.verified ? el("span", { className: "badge badge-verified", title: t("live_verified") }, "\u2713") : null,
      left
        ? el("span", { className: "badge live-left-badge" }, t("live_left"))
        : el("span", { className: "badge" + (v.returning ? " live-returning" : " live-new") },
          v.returning ? t("live_returning") : t("live_new"))
    ),
    el("div", { className: "live-page" }, pageLink(v.page)),
    el("div", { className: "live-meta" },
      el("span", { dataset: { since: v.id } }, details),
      v.returning && v.visits > 1 ? el("span", { className: "muted" }, " · " + t("live_visits", { count: v.visits })) : null,
      hostOf(v.came_from) ? el("span", { className: "live-from" }, " · " + t("live_came_from", { host: hostOf(v.came_from) })) : null
    ),
    action ? el("div", { className: "live-actions" }, action) : null,
    form ? buildForm(v, form) : null
  );
}

function render(focusFormOf) {
  const rows = sorted();
  ui.loading.hidden = state.loaded || !state.on;
  ui.empty.hidden = !state.loaded || rows.length > 0;
  const online = rows.filter(function (v) { return !state.left.has(v.id); }).length;
  ui.count.hidden = !state.loaded;
  ui.count.textContent = String(online);
  // Keep the caret where it is when a row is rebuilt under a form being written.
  const active = document.activeElement;
  const activeId = active && ui.list.contains(active) ? active.id : null;
  const caret = activeId && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
  while (ui.list.firstChild) ui.list.removeChild(ui.list.firstChild);
  rows.forEach(function (v) { ui.list.appendChild(buildRow(v)); });
  let again = activeId ? document.getElementById(activeId) : null;
  if (focusFormOf) again = document.getElementById("live-msg-" + focusFormOf);
  if (again) {
    again.focus();
    if (caret && again.setSelectionRange) again.setSelectionRange(caret[0], caret[1]);
  }
}

function tick() {
  if (!state.on) return;
  ui.list.querySelectorAll("[data-since]").forEach(function (node) {
    const v = state.visitors.get(node.dataset.since);
    if (v) node.textContent = [onSite(v), str(v.browser), str(v.language)].filter(Boolean).join(" · ");
  });
}

// ---------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------
function init() {
  ui.toggle = document.getElementById("live-toggle");
  ui.pane = document.getElementById("live-pane");
  ui.list = document.getElementById("live-list");
  ui.empty = document.getElementById("live-empty");
  ui.loading = document.getElementById("live-loading");
  ui.count = document.getElementById("live-count");
  ui.listPane = document.querySelector(".pane-list");
  if (!ui.toggle || !ui.pane || !ui.listPane) return;
  ui.toggle.addEventListener("click", function () { setOn(!state.on); });
  inbox.on("frame", onFrame);
  // After every (re)connection: a fresh list, and the server publishes to this socket again.
  inbox.on("ready", function () { if (state.on) subscribe(); });
  setInterval(tick, TICK_MS);
  if (inbox.config.live_open || remembered()) setOn(true);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
