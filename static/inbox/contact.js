/*
 * Sohbet inbox: notes about the contact (in the visitor panel) and the typing sneak peek (what
 * the visitor is typing, under the messages). Plain JavaScript, no build step.
 *
 * Frames (docs/widget-protocol.md): contact_notes, contact_note_add, contact_note_delete →
 * contact_notes, contact_note, contact_note_deleted, contact_note_saved; typing.text.
 * Talks to the page only through the inbox's api.js; every note and preview is text only.
 */
import * as inbox from "./api.js";

const el = inbox.el;
const str = inbox.str;

const t = inbox.strings("visitor-strings");


const PREVIEW_SHOW_MS = 8000; // a lost "typing: false" must not leave the preview up for ever
const ANSWER_MS = 15000;

const ui = {};
const notes = { number: null, visitor: null, list: [], pending: null };
const preview = { number: null, timer: null };

const LANG = document.documentElement.lang || undefined;
function when(iso) {
  const d = iso ? new Date(iso) : null;
  if (!d || isNaN(d.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(LANG, { dateStyle: "medium", timeStyle: "short" }).format(d);
  } catch (e) {
    return d.toISOString();
  }
}

function newClientId() {
  const bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return "ext:note:" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
}

// ---------------------------------------------------------------------------------------
// Contact notes
// ---------------------------------------------------------------------------------------
function load(number) {
  notes.number = number;
  notes.visitor = null;
  notes.list = [];
  hideError();
  renderNotes();
  if (number !== null) inbox.send({ type: "contact_notes", conversation: number });
}

function renderNotes() {
  const open = notes.number !== null;
  ui.section.hidden = !open || notes.visitor === null;
  const list = ui.list;
  while (list.firstChild) list.removeChild(list.firstChild);
  notes.list.forEach(function (n) {
    const author = n.author && n.author.name ? str(n.author.name) : t("notes_unknown_author");
    const created = when(n.created_at);
    list.appendChild(el("li", { className: "contact-note", dataset: { note: n.id } },
      el("p", { className: "contact-note-body" }, str(n.body)),
      el("p", { className: "contact-note-meta" },
        el("span", { className: "contact-note-author" }, author),
        created ? el("time", { datetime: str(n.created_at) }, " · " + created) : null,
        n.can_delete ? el("button", {
          type: "button",
          className: "small link contact-note-delete",
          "aria-label": t("notes_delete") + ": " + str(n.body).slice(0, 40),
          onclick: function () { remove(n.id); },
        }, t("notes_delete")) : null
      )
    ));
  });
  ui.empty.hidden = notes.list.length > 0;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = false;
  ui.text.setAttribute("aria-invalid", "true");
}

function hideError() {
  ui.error.hidden = true;
  ui.error.textContent = "";
  ui.text.removeAttribute("aria-invalid");
}

function add() {
  if (notes.number === null || notes.pending) return;
  const body = ui.text.value.replace(/^\s+|\s+$/g, "");
  if (!body) return;
  const cid = newClientId();
  hideError();
  if (!inbox.send({ type: "contact_note_add", conversation: notes.number, body: body, client_id: cid })) {
    showError(inbox.t("error_generic"));
    return;
  }
  notes.pending = { client_id: cid };
  ui.add.disabled = true;
  notes.pending.timer = setTimeout(function () {
    if (!notes.pending || notes.pending.client_id !== cid) return;
    notes.pending = null;
    ui.add.disabled = false;
    showError(inbox.t("error_no_ack"));
  }, ANSWER_MS);
}

function remove(id) {
  if (notes.number === null || !window.confirm(t("notes_delete_confirm"))) return;
  inbox.send({ type: "contact_note_delete", conversation: notes.number, note: id, client_id: newClientId() });
}

function settle() {
  if (notes.pending) clearTimeout(notes.pending.timer);
  notes.pending = null;
  ui.add.disabled = false;
}

function upsert(note) {
  notes.list = notes.list.filter(function (n) { return n.id !== note.id; });
  notes.list.unshift(note);
  notes.list.sort(function (a, b) { return str(b.created_at).localeCompare(str(a.created_at)) || b.id - a.id; });
  renderNotes();
}

// ---------------------------------------------------------------------------------------
// Typing sneak peek: what the visitor types before sending it (when the workspace allows)
// ---------------------------------------------------------------------------------------
function clearPreview() {
  clearTimeout(preview.timer);
  preview.number = null;
  if (ui.preview) {
    ui.preview.hidden = true;
    ui.previewText.textContent = "";
  }
}

function showPreview(number, text) {
  if (!ui.preview) {
    const scroll = document.getElementById("inbox-messages-scroll");
    if (!scroll) return;
    ui.previewText = el("span", { className: "typing-preview-text" });
    ui.preview = el("div", { id: "inbox-typing-preview", className: "typing-preview", title: t("typing_preview_help") },
      el("span", { className: "typing-preview-label" }, t("typing_preview") + " "), ui.previewText);
    scroll.appendChild(ui.preview);
  }
  preview.number = number;
  inbox.changeKeepingEnd(function () {
    ui.previewText.textContent = text;
    ui.preview.hidden = false;
  });
  clearTimeout(preview.timer);
  preview.timer = setTimeout(clearPreview, PREVIEW_SHOW_MS);
}

// ---------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------
function onFrame(f) {
  switch (f.type) {
    case "contact_notes":
      if (f.conversation !== notes.number) return;
      notes.visitor = str(f.visitor);
      notes.list = Array.isArray(f.notes) ? f.notes.slice() : [];
      renderNotes();
      return;
    case "contact_note":
      if (f.visitor === notes.visitor && f.note && typeof f.note.id === "number") upsert(f.note);
      return;
    case "contact_note_deleted":
      if (f.visitor !== notes.visitor) return;
      notes.list = notes.list.filter(function (n) { return n.id !== f.id; });
      renderNotes();
      return;
    case "contact_note_saved":
      if (notes.pending && f.client_id === notes.pending.client_id) {
        settle();
        ui.text.value = "";
      }
      return;
    case "error":
      if (typeof f.client_id !== "string" || f.client_id.indexOf("ext:note:") !== 0) return;
      if (notes.pending && f.client_id === notes.pending.client_id) settle();
      showError(str(f.message) || inbox.t("error_generic"));
      return;
    case "typing": {
      const current = inbox.current();
      if (f.author !== "visitor" || !current || f.conversation !== current.number) return;
      if (f.typing && typeof f.text === "string" && f.text.trim()) showPreview(f.conversation, f.text);
      else clearPreview();
      return;
    }
    case "message":
      if (f.conversation === preview.number && f.message && f.message.sender === "visitor") clearPreview();
      return;
    default:
      return;
  }
}

function init() {
  ui.section = document.getElementById("contact-notes");
  ui.form = document.getElementById("contact-note-form");
  ui.text = document.getElementById("contact-note-text");
  ui.error = document.getElementById("contact-note-error");
  ui.add = document.getElementById("contact-note-add");
  ui.list = document.getElementById("contact-note-list");
  ui.empty = document.getElementById("contact-notes-empty");
  if (!ui.section || !ui.form) return;
  ui.form.addEventListener("submit", function (e) { e.preventDefault(); add(); });
  ui.text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); add(); }
  });
  ui.text.addEventListener("input", hideError);
  inbox.on("frame", onFrame);
  inbox.on("open", function (number) { clearPreview(); load(number); });
  inbox.on("ready", function () {
    const current = inbox.current();
    load(current ? current.number : null);
  });
  // Closing the conversation (back to the list) hides the notes too.
  const closed = function () {
    setTimeout(function () {
      if (!inbox.current() && notes.number !== null) { clearPreview(); load(null); }
    });
  };
  window.addEventListener("popstate", closed);
  document.querySelectorAll("[data-inbox-back]").forEach(function (b) { b.addEventListener("click", closed); });
  const current = inbox.current();
  if (current) load(current.number);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
