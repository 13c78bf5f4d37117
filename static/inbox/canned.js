/*
 * Canned responses in the inbox composer. Plain JavaScript, no dependencies, no build step.
 *
 * Typing "/" at the start of the reply box or after a space opens a list of the responses this
 * operator may use (GET canned/api/); the text after the "/" filters it (fuzzy: the letters in
 * order, over shortcut and title; shortcut prefixes first, then the most used). ArrowUp/Down
 * choose, Enter or Tab (or a click) insert, Escape closes. Inserting asks the server for the
 * filled text in the visitor's language (POST canned/api/<id>/use/, which also counts the use)
 * and replaces the "/query" with it through the inbox's insertText (api.js).
 *
 * inbox.js sends on Enter; while the list is open a capture-phase keydown listener on document
 * takes Enter (and the other keys above) first and stops it from reaching inbox.js.
 * Security: response texts are workspace data; they reach the DOM through textContent only.
 */
import * as inbox from "./api.js";

const t = inbox.strings("canned-strings");
const CONFIG = inbox.readJSON("canned-config");
const MAX_SHOWN = 50;
const REFRESH_MS = 30000;
const TRIGGER = /(^|\s)\/([^\s/]{0,40})$/;

const el = inbox.el;
const clear = inbox.clear;

const state = {
  items: null,        // [{id, shortcut, title, preview, personal, usage_count}] once loaded
  loading: false,
  loadError: false,
  loadedAt: 0,
  open: false,
  from: 0,            // index of the "/" in the composer
  query: "",
  matches: [],        // [{item, shortcutHits, titleHits}]
  active: 0,
  dismissedAt: null,  // the "/" the operator closed the list for (Escape)
  chooseWhenLoaded: false,
  inserting: false,
  error: "",
};

const ui = {};

// -------------------------------------------------------------------------------------
// Loading
// -------------------------------------------------------------------------------------
function load() {
  if (state.loading || !CONFIG.list_url) return;
  state.loading = true;
  state.loadError = false;
  fetch(CONFIG.list_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    })
    .then(function (data) {
      state.items = Array.isArray(data.responses) ? data.responses : [];
      state.loadedAt = Date.now();
    })
    .catch(function () {
      state.loadError = true;
    })
    .then(function () {
      state.loading = false;
      if (!state.open) return;
      refilter();
      if (state.chooseWhenLoaded) {
        state.chooseWhenLoaded = false;
        if (state.matches.length) choose(state.matches[state.active].item);
      }
    });
}

// -------------------------------------------------------------------------------------
// Fuzzy matching
// -------------------------------------------------------------------------------------
/** One comparable character per character of `text` (case and accents folded). */
function folded(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    out.push(ch === "ı" ? "i" : ch.charAt(0));
  }
  return out;
}

function foldQuery(query) {
  return folded(query).join("");
}

/** Positions in `text` matching `query`: contiguous if possible, else letters in order. */
function matchPositions(text, query) {
  if (!query) return [];
  const chars = folded(text);
  const joined = chars.join("");
  const at = chars.length === joined.length ? joined.indexOf(query) : -1;
  let i;
  if (at >= 0) {
    const run = [];
    for (i = 0; i < query.length; i++) run.push(at + i);
    return run;
  }
  const hits = [];
  let q = 0;
  for (i = 0; i < chars.length && q < query.length; i++) {
    if (chars[i] === query.charAt(q)) {
      hits.push(i);
      q += 1;
    }
  }
  return q === query.length ? hits : null;
}

function contiguous(hits) {
  return hits.length > 0 && hits[hits.length - 1] - hits[0] === hits.length - 1;
}

function rank(item, query) {
  if (!query) return { tier: 0, shortcutHits: [], titleHits: [] };
  const shortcutHits = matchPositions(String(item.shortcut || ""), query);
  const titleHits = matchPositions(String(item.title || ""), query);
  if (!shortcutHits && !titleHits) return null;
  let tier = 3;
  if (shortcutHits && contiguous(shortcutHits) && shortcutHits[0] === 0) tier = 0;
  else if ((shortcutHits && contiguous(shortcutHits)) || (titleHits && contiguous(titleHits))) tier = 1;
  else tier = 2;
  return { tier: tier, shortcutHits: shortcutHits || [], titleHits: titleHits || [] };
}

function refilter() {
  const query = foldQuery(state.query);
  const ranked = [];
  (state.items || []).forEach(function (item) {
    const r = rank(item, query);
    if (r) ranked.push({ item: item, tier: r.tier, shortcutHits: r.shortcutHits, titleHits: r.titleHits });
  });
  ranked.sort(function (a, b) {
    return a.tier - b.tier
      || (b.item.usage_count || 0) - (a.item.usage_count || 0)
      || String(a.item.shortcut).localeCompare(String(b.item.shortcut));
  });
  state.matches = ranked.slice(0, MAX_SHOWN);
  state.active = 0;
  render();
}

// -------------------------------------------------------------------------------------
// Rendering (text only)
// -------------------------------------------------------------------------------------
/** `text` with the characters at `hits` wrapped in <mark>. */
function highlighted(text, hits) {
  const frag = document.createDocumentFragment();
  const set = {};
  hits.forEach(function (i) { set[i] = true; });
  let buffer = "";
  let marked = false;
  function flush() {
    if (!buffer) return;
    frag.appendChild(marked ? el("mark", null, buffer) : document.createTextNode(buffer));
    buffer = "";
  }
  for (let i = 0; i < text.length; i++) {
    const hit = !!set[i];
    if (hit !== marked) {
      flush();
      marked = hit;
    }
    buffer += text.charAt(i);
  }
  flush();
  return frag;
}

function optionId(item) {
  return "canned-option-" + item.id;
}

function manageLink(key) {
  return el("a", { href: CONFIG.manage_url || "#", className: "canned-manage-link" }, t(key));
}

function render() {
  if (!state.open) return;
  clear(ui.list);
  clear(ui.status);
  state.matches.forEach(function (match, index) {
    const item = match.item;
    const selected = index === state.active;
    ui.list.appendChild(el("li", {
      id: optionId(item),
      role: "option",
      className: "canned-option" + (selected ? " is-active" : ""),
      "aria-selected": String(selected),
      dataset: { id: item.id, shortcut: item.shortcut },
    },
    el("span", { className: "canned-option-head" },
      el("span", { className: "canned-option-shortcut" }, "/", highlighted(String(item.shortcut), match.shortcutHits)),
      el("span", { className: "canned-option-title" }, highlighted(String(item.title || ""), match.titleHits)),
      item.personal ? el("span", { className: "canned-option-badge" }, t("canned_personal")) : null),
    item.preview ? el("span", { className: "canned-option-preview" }, String(item.preview)) : null));
  });
  ui.list.hidden = state.matches.length === 0;

  let status = null;
  if (state.error) {
    status = el("span", { className: "canned-error", role: "alert" }, state.error);
  } else if (state.items === null && state.loadError) {
    status = t("canned_load_failed");
  } else if (state.items === null) {
    status = t("canned_loading");
  } else if (state.items.length === 0) {
    status = [el("span", null, t("canned_empty")), " ", manageLink("canned_create")];
  } else if (state.matches.length === 0) {
    status = [el("span", null, t("canned_no_match", { query: state.query })), " ", manageLink("canned_manage")];
  }
  ui.status.hidden = !status;
  if (status) {
    (Array.isArray(status) ? status : [status]).forEach(function (part) {
      ui.status.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
  }
  ui.hint.hidden = state.matches.length === 0;

  const active = state.matches[state.active];
  if (active) {
    ui.composer.setAttribute("aria-activedescendant", optionId(active.item));
    const node = document.getElementById(optionId(active.item));
    if (node && node.scrollIntoView) node.scrollIntoView({ block: "nearest" });
  } else {
    ui.composer.removeAttribute("aria-activedescendant");
  }
}

// -------------------------------------------------------------------------------------
// Opening, closing, choosing
// -------------------------------------------------------------------------------------
function openPicker() {
  const wasOpen = state.open;
  state.open = true;
  state.error = "";
  ui.popup.hidden = false;
  ui.composer.setAttribute("aria-expanded", "true");
  if (!wasOpen && (state.items === null || Date.now() - state.loadedAt > REFRESH_MS)) load();
  refilter();
}

function close() {
  if (!state.open) return;
  state.open = false;
  state.chooseWhenLoaded = false;
  ui.popup.hidden = true;
  ui.composer.setAttribute("aria-expanded", "false");
  ui.composer.removeAttribute("aria-activedescendant");
}

/** Open, update or close the list from the text just before the caret. */
function detect() {
  const c = ui.composer;
  if (!c || state.inserting) return;
  if (inbox.current() === null || c.selectionStart !== c.selectionEnd) return close();
  const caret = c.selectionStart;
  const m = TRIGGER.exec(c.value.slice(0, caret));
  if (!m) {
    state.dismissedAt = null;
    return close();
  }
  const from = caret - m[2].length - 1;
  if (state.dismissedAt === from) return close();
  state.dismissedAt = null;
  state.from = from;
  state.query = m[2];
  openPicker();
}

function move(step) {
  const n = state.matches.length;
  if (!n) return;
  state.active = (state.active + step + n) % n;
  render();
}

/** Where the "/query" now is in the composer: [from, to), or null if it is gone. */
function tokenRange() {
  const value = ui.composer.value;
  if (value.charAt(state.from) !== "/") return null;
  const rest = /^\/[^\s/]*/.exec(value.slice(state.from));
  return rest ? [state.from, state.from + rest[0].length] : null;
}

function choose(item) {
  const conversation = inbox.current();
  if (!item || !conversation || state.inserting) return;
  state.inserting = true;
  const number = conversation.number;
  const url = String(CONFIG.use_url || "").replace("{id}", encodeURIComponent(item.id));
  inbox.postJSON(url, { conversation: number }, CONFIG.csrf_token)
    .then(function (res) {
      state.inserting = false;
      if (!res.ok || typeof res.data.text !== "string") {
        const message = res.data.error && res.data.error.message;
        state.error = message ? String(message) : t("canned_insert_failed");
        render();
        return;
      }
      const now = inbox.current();
      if (!now || now.number !== number) return close(); // the operator moved on
      item.usage_count = (item.usage_count || 0) + 1;
      const range = tokenRange();
      close();
      state.inserting = true; // the input event below must not reopen the list
      if (range) inbox.insertText(res.data.text, range[0], range[1]);
      else inbox.insertText(res.data.text);
      ui.composer.dispatchEvent(new Event("input", { bubbles: true }));
      state.inserting = false;
    })
    .catch(function () {
      state.inserting = false;
      state.error = t("canned_insert_failed");
      render();
    });
}

function chooseActive() {
  if (state.items === null) {
    state.chooseWhenLoaded = true;
    return;
  }
  const match = state.matches[state.active];
  if (match) choose(match.item);
}

// -------------------------------------------------------------------------------------
// Keys: ahead of inbox.js (capture phase on document), only while the list is open
// -------------------------------------------------------------------------------------
function onKeyDown(e) {
  if (!state.open || e.target !== ui.composer) return;
  if (e.isComposing || e.keyCode === 229) return;
  const nothingToChoose = state.items !== null && state.matches.length === 0;
  switch (e.key) {
    case "ArrowDown":
      if (nothingToChoose) return;
      move(1);
      break;
    case "ArrowUp":
      if (nothingToChoose) return;
      move(-1);
      break;
    case "Enter":
    case "Tab":
      if (e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      if (nothingToChoose) {
        close(); // nothing to insert: Enter sends the text as written, Tab moves on
        return;
      }
      chooseActive();
      break;
    case "Escape":
      state.dismissedAt = state.from;
      close();
      break;
    default:
      return;
  }
  e.preventDefault();
  e.stopImmediatePropagation();
}

// -------------------------------------------------------------------------------------
// Start
// -------------------------------------------------------------------------------------
function init() {
  ui.composer = inbox.composer();
  if (!ui.composer || ui.popup) return;
  const form = ui.composer.form || ui.composer.parentNode;

  ui.list = el("ul", { id: "canned-list", role: "listbox", className: "canned-list", "aria-label": t("canned_label") });
  ui.status = el("p", { className: "canned-status", "aria-live": "polite" });
  ui.hint = el("p", { className: "canned-hint", "aria-hidden": "true" }, t("canned_hint"));
  ui.popup = el("div", { id: "canned-popup", className: "canned-popup", hidden: true, "data-testid": "canned-picker" },
    el("div", { className: "canned-popup-head" },
      el("span", { className: "canned-popup-title" }, t("canned_label")),
      manageLink("canned_manage")),
    ui.list, ui.status, ui.hint);
  form.appendChild(ui.popup);

  const c = ui.composer;
  c.setAttribute("role", "combobox");
  c.setAttribute("aria-autocomplete", "list");
  c.setAttribute("aria-haspopup", "listbox");
  c.setAttribute("aria-controls", "canned-list");
  c.setAttribute("aria-expanded", "false");

  document.addEventListener("keydown", onKeyDown, true);
  c.addEventListener("input", detect);
  c.addEventListener("click", detect);
  c.addEventListener("keyup", function (e) {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(e.key) >= 0) detect();
  });
  c.addEventListener("blur", function () {
    setTimeout(function () {
      if (document.activeElement !== c) close();
    }, 150);
  });
  // Clicks in the list keep the focus (and the caret) in the composer.
  ui.popup.addEventListener("mousedown", function (e) {
    if (!e.target.closest("a")) e.preventDefault();
  });
  ui.list.addEventListener("mousemove", function (e) {
    const li = e.target.closest("[role=option]");
    if (!li) return;
    const index = Array.prototype.indexOf.call(ui.list.children, li);
    if (index >= 0 && index !== state.active) {
      state.active = index;
      render();
    }
  });
  ui.list.addEventListener("click", function (e) {
    const li = e.target.closest("[role=option]");
    if (!li) return;
    const index = Array.prototype.indexOf.call(ui.list.children, li);
    if (state.matches[index]) choose(state.matches[index].item);
  });
  inbox.on("open", function () {
    state.dismissedAt = null;
    close();
  });
}

if (inbox.composer()) init();
else document.addEventListener("DOMContentLoaded", init);
