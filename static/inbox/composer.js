/*
 * The composer: reply and private note, @mentions, typing, drafts; a refused or failed
 * message's text back into it.
 */
import { avatar, clear, el, onlineDot, str } from "./dom.js";
import { emit } from "./hooks.js";
import { showInlineError, toast } from "./notices.js";
import { sendMessage, sendNote } from "./outbox.js";
import { LANG, t, TYPING_IDLE_MS, TYPING_SEND_MS } from "./page.js";
import { send } from "./socket.js";
import { changeComposerMode, myId, state, takeNote, takePending, thread } from "./store.js";
import { ui } from "./ui.js";

/** The server refused a note (outbox.js took the card away): give the text back, say why. */
export function noteRefused(refused) {
  const number = refused.number, body = refused.body, text = refused.text;
  if (number === state.openNumber) {
    const current = ui.composer.value;
    ui.composer.value = current ? body + "\n" + current : body;
    setComposerMode("note");
    autoGrow();
    emit("messages");
    showInlineError(text);
  } else {
    drafts.set(number, (drafts.get(number) ? drafts.get(number) + "\n" : "") + body);
    toast(text, { kind: "error", number: number });
  }
}

/** A saved note's "Edit": its text back into the composer, as a note. */
export function editNote(cid) {
  const p = takeNote(thread(state.openNumber), cid);
  if (!p) return;
  const current = ui.composer.value;
  ui.composer.value = current ? current + "\n" + p.body : p.body;
  setComposerMode("note");
  emit("messages");
  ui.composer.focus();
}

/** A failed reply's "Edit": its text back into the composer instead of sending it again. */
export function editPending(th, cid) {
  const p = takePending(th, cid);
  if (!p) return;
  const current = ui.composer.value;
  ui.composer.value = current ? current + "\n" + p.body : p.body;
  emit("messages");
  ui.composer.focus();
}

const drafts = new Map();

export function saveDraft(number) {
  drafts.set(number, ui.composer.value);
}

export function restoreDraft(number) {
  ui.composer.value = drafts.get(number) || "";
  closeMentions();
  autoGrow();
}

let lastTypingSent = 0;

let typingActive = false;

let typingIdleTimer = null;

export function sendTyping(number, typing) {
  if (number === null) return;
  if (typing) {
    if (state.composerMode === "note") return; // a note is not something the visitor awaits
    const now = Date.now();
    if (now - lastTypingSent >= TYPING_SEND_MS) {
      if (send({ type: "typing", conversation: number, typing: true })) lastTypingSent = now;
    }
    typingActive = true;
    clearTimeout(typingIdleTimer);
    typingIdleTimer = setTimeout(function () { sendTyping(number, false); }, TYPING_IDLE_MS);
  } else if (typingActive) {
    typingActive = false;
    lastTypingSent = 0;
    clearTimeout(typingIdleTimer);
    send({ type: "typing", conversation: number, typing: false });
  }
}

export function submitComposer() {
  if (state.openNumber === null) return;
  const body = ui.composer.value.replace(/^\s+|\s+$/g, "");
  if (!body) return;
  closeMentions();
  if (state.composerMode === "note") {
    if (!sendNote(state.openNumber, body)) {
      showInlineError(t("note_offline"));
      return; // the draft stays in the composer
    }
  } else {
    sendTyping(state.openNumber, false);
    sendMessage(state.openNumber, body);
  }
  ui.composer.value = "";
  drafts.delete(state.openNumber);
  autoGrow();
}

export function autoGrow() {
  const c = ui.composer;
  c.style.height = "auto";
  c.style.height = Math.min(c.scrollHeight + 2, 200) + "px";
}

export function updateComposerState() {
  const note = state.composerMode === "note";
  ui.composerHint.textContent = !state.connected
    ? (state.stopped ? "" : note ? t("note_offline_hint") : t("composer_offline_hint"))
    : note ? t("note_hint") : t("composer_hint");
  ui.composer.disabled = state.stopped;
  ui.sendBtn.disabled = state.stopped;
}

export function setComposerMode(mode) {
  mode = mode === "note" ? "note" : "reply";
  if (mode === "note" && state.openNumber !== null) sendTyping(state.openNumber, false);
  changeComposerMode(mode);
  const note = mode === "note";
  ui.form.classList.toggle("is-note", note);
  ui.modeReply.setAttribute("aria-checked", String(!note));
  ui.modeNote.setAttribute("aria-checked", String(note));
  ui.modeReply.tabIndex = note ? -1 : 0;
  ui.modeNote.tabIndex = note ? 0 : -1;
  ui.composerLabel.textContent = note ? t("note_label") : t("reply_label");
  ui.composer.placeholder = note ? t("note_placeholder") : t("reply_placeholder");
  ui.sendBtn.textContent = note ? t("add_note") : t("send");
  if (!note) closeMentions();
  updateComposerState(); // the thread keeps to its end if the composer grows (conversation.js)
}

let mentionState = { open: false, items: [], active: 0, start: 0 };

/** "@que" right before the caret (at a word start): {start, query}, else null. */
export function mentionQuery() {
  const c = ui.composer;
  const pos = c.selectionStart;
  if (pos !== c.selectionEnd) return null;
  const m = /(^|[\s(])@([^\s@]{0,30})$/.exec(c.value.slice(0, pos));
  return m ? { start: pos - m[2].length - 1, query: m[2] } : null;
}

export function updateMentions() {
  if (state.composerMode !== "note") return closeMentions();
  const q = mentionQuery();
  if (!q) return closeMentions();
  const needle = q.query.toLocaleLowerCase(LANG);
  const me = myId();
  const found = state.members.filter(function (m) {
    if (m.id === me || !str(m.name)) return false;
    if (!needle) return true;
    const name = str(m.name).toLocaleLowerCase(LANG);
    return name.split(/\s+/).some(function (w) { return w.indexOf(needle) === 0; }) || name.indexOf(needle) === 0;
  }).slice(0, 8);
  if (!found.length) return closeMentions();
  const keep = mentionState.open && mentionState.items[mentionState.active];
  mentionState = { open: true, items: found, active: 0, start: q.start };
  if (keep) {
    const again = found.indexOf(keep);
    if (again >= 0) mentionState.active = again;
  }
  renderMentions();
}

export function renderMentions() {
  const list = ui.mentions;
  clear(list);
  mentionState.items.forEach(function (m, i) {
    const option = el("li", {
      role: "option", id: "inbox-mention-" + m.id, className: "mention-option" + (i === mentionState.active ? " is-active" : ""),
      "aria-selected": String(i === mentionState.active),
    }, onlineDot(m), avatar(m.name), el("span", null, str(m.name)));
    option.addEventListener("mousedown", function (e) {
      e.preventDefault(); // keep the caret in the composer
      chooseMention(m);
    });
    list.appendChild(option);
  });
  list.hidden = false;
  ui.composer.setAttribute("aria-expanded", "true");
  const active = mentionState.items[mentionState.active];
  ui.composer.setAttribute("aria-activedescendant", active ? "inbox-mention-" + active.id : "");
}

export function closeMentions() {
  if (!ui.mentions) return;
  mentionState.open = false;
  ui.mentions.hidden = true;
  clear(ui.mentions);
  ui.composer.setAttribute("aria-expanded", "false");
  ui.composer.removeAttribute("aria-activedescendant");
}

export function chooseMention(member) {
  const c = ui.composer;
  const caret = c.selectionStart;
  const text = "@" + str(member.name).trim().replace(/\s+/g, " ") + " ";
  c.value = c.value.slice(0, mentionState.start) + text + c.value.slice(caret);
  const pos = mentionState.start + text.length;
  c.setSelectionRange(pos, pos);
  c.focus();
  closeMentions();
  autoGrow();
}

/** Keys while the @mention list is open; true when the key was used. */
export function mentionKeys(e) {
  if (!mentionState.open) return false;
  const n = mentionState.items.length;
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    mentionState.active = (mentionState.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
    renderMentions();
    return true;
  }
  if (e.key === "Enter" || e.key === "Tab") {
    chooseMention(mentionState.items[mentionState.active]);
    return true;
  }
  if (e.key === "Escape") {
    closeMentions();
    return true;
  }
  return false;
}

/** Above the composer: whether the visitor is on the page now, or gets the reply by email. */
export function renderReach() {
  const th = state.openNumber !== null ? thread(state.openNumber) : null;
  const v = th && th.visitor;
  const row = th ? state.conversations.get(state.openNumber) : null;
  if (!v || (row && row.status === "resolved")) {
    ui.reach.hidden = true;
    return;
  }
  const state_ = v.online ? "online" : v.email_known ? "email" : "away";
  ui.reach.dataset.reach = state_;
  ui.reach.textContent = t("reach_" + state_);
  ui.reach.hidden = false;
}
