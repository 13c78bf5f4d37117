/*
 * What the inbox's other scripts (canned.js, search.js, live.js, contact.js) use of the inbox:
 * `import * as inbox from "./api.js"`. They load after the inbox and talk to it only through
 * this module.
 */
import { clear, el, hostOf, safeHttpUrl, str } from "./dom.js";
import { autoGrow, setComposerMode as setMode } from "./composer.js";
import { changeKeepingEnd, openConversation as open } from "./conversation.js";
import { visitorName } from "./format.js";
import { on } from "./hooks.js";
import { toast as showToast } from "./notices.js";
import { CONFIG, readJSON as read, t, translator } from "./page.js";
import { setSearch } from "./shortcuts.js";
import { send as sendFrame } from "./socket.js";
import { state, thread } from "./store.js";
import { ui } from "./ui.js";

export { postJSON } from "./http.js";
export { changeKeepingEnd, clear, el, hostOf, on, safeHttpUrl, str, t };
export const config = CONFIG;

/** Another script's page data: readJSON("canned-config"); strings("search-strings") is a t(). */
export function readJSON(id) {
  return read(id, {}) || {};
}

export function strings(id) {
  return translator(read(id, {}) || {});
}

export function send(frame) {
  return sendFrame(frame);
}

/** A visitor's name, or "Visitor 1a2b3c" in this page's language ({id, name} as frames carry). */
export function visitorLabel(visitor) {
  return visitorName({ visitor: visitor });
}

export function openConversation(number) {
  open(number, { push: true, focus: true });
}

/** The open conversation: {number, summary, visitor} or null. */
export function current() {
  if (state.openNumber === null) return null;
  return {
    number: state.openNumber,
    summary: state.conversations.get(state.openNumber) || null,
    visitor: thread(state.openNumber).visitor || null,
  };
}

export function me() {
  return state.me;
}

/** Workspace members [{id, name, role, capacity, teams, online}], teams, labels. */
export function members() {
  return state.members.slice();
}

export function teams() {
  return state.teams.slice();
}

export function labels() {
  return state.labels.slice();
}

/** "reply" or "note": what Enter in the composer sends. */
export function composerMode() {
  return state.composerMode;
}

export function setComposerMode(mode) {
  setMode(mode);
}

/** A short message in the corner of the inbox. */
export function toast(text) {
  showToast(str(text));
}

export function composer() {
  return ui.composer;
}

/** Put text into the composer where the caret is (replacing [from, to) when given). */
export function insertText(text, from, to) {
  const c = ui.composer;
  const start = typeof from === "number" ? from : c.selectionStart;
  const end = typeof to === "number" ? to : c.selectionEnd;
  c.value = c.value.slice(0, start) + text + c.value.slice(end);
  const caret = start + text.length;
  c.setSelectionRange(caret, caret);
  c.focus();
  autoGrow();
}

/** The search field's focus, for the "/" shortcut (search.js). */
export function provideSearch(focus) {
  setSearch(focus);
}
