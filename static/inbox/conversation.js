import { restoreDraft, saveDraft, sendTyping } from "./composer.js";
import { append, avatar, clear, el, isId } from "./dom.js";
import { statusClass, statusText, visitorName } from "./format.js";
import { emit } from "./hooks.js";
import { labelChip } from "./labels.js";
import { renderList } from "./list.js";
import { hideInlineError } from "./notices.js";
import { subscribe } from "./outbox.js";
import { INBOX_BASE, numberFromPath, t } from "./page.js";
import { closeOrphanPopover, closePopover } from "./popover.js";
import { send } from "./socket.js";
import { memberName, myId, setOpenNumber, state, teamName, thread } from "./store.js";
import { buildEntry, entryKey, entrySignature, orderedTimeline } from "./timeline.js";
import { ui } from "./ui.js";
import { renderVisitor } from "./visitor.js";

export function openConversation(number, opts) {
  number = Number(number);
  if (!number) return;
  const previous = state.openNumber;
  if (previous !== null && previous !== number) {
    saveDraft(previous);
    send({ type: "unsubscribe", conversation: previous });
    sendTyping(previous, false);
  }
  closePopover(false);
  setOpenNumber(number);
  if (opts && opts.push) {
    const url = INBOX_BASE + number + "/";
    if (location.pathname !== url) history.pushState({ number: number }, "", url);
  }
  setMobileView("conversation");
  hideInlineError();
  ui.notFound.hidden = true;
  ui.conversation.hidden = false;
  ui.placeholder.hidden = true;
  renderConversation();
  restoreDraft(number);
  if (state.connected) subscribe(number);
  renderList();
  if (opts && opts.focus) ui.composer.focus();
  emit("open", number);
}

export function closeConversation() {
  if (state.openNumber !== null) {
    saveDraft(state.openNumber);
    send({ type: "unsubscribe", conversation: state.openNumber });
  }
  closePopover(false);
  setOpenNumber(null);
  renderConversation();
  renderList();
  setMobileView("list");
}

export function renderConversation() {
  const open = state.openNumber !== null;
  ui.conversation.hidden = !open;
  ui.placeholder.hidden = open;
  if (!open) {
    ui.notFound.hidden = true;
    renderVisitor();
    return;
  }
  clear(ui.messages);
  renderConversationHeader();
  renderMessages(true);
  renderTyping();
  renderVisitor();
}

export function renderConversationHeader() {
  if (state.openNumber === null || !ui.convName) return;
  const c = state.conversations.get(state.openNumber);
  const th = thread(state.openNumber);
  const name = (th.visitor && th.visitor.name) || visitorName(c);
  ui.convName.textContent = name;
  ui.convNumber.textContent = "#" + state.openNumber;
  const status = c ? c.status : "";
  ui.convStatus.textContent = status ? statusText(c) : "";
  ui.convStatus.className = statusClass(status);
  ui.convStatus.hidden = !status;
  const resolved = status === "resolved";
  const live = !!c && state.connected;
  ui.resolveBtn.textContent = resolved ? t("reopen") : t("resolve");
  ui.resolveBtn.dataset.action = resolved ? "reopen" : "resolve";
  ui.resolveBtn.disabled = !live;
  ui.pendingBtn.hidden = resolved || !c;
  ui.pendingBtn.textContent = status === "open" ? t("mark_pending") : t("mark_open");
  ui.pendingBtn.dataset.status = status === "open" ? "pending" : "open";
  ui.pendingBtn.disabled = !live;
  ui.snoozeBtn.hidden = resolved || !c;
  ui.snoozeBtn.disabled = !live;

  // Assignee picker
  clear(ui.assigneeBtn);
  const assigneeName = c && isId(c.assignee) ? memberName(c.assignee) : "";
  append(ui.assigneeBtn, [
    el("span", { className: "picker-label" }, t("assignee_label")),
    c && isId(c.assignee) ? avatar(assigneeName) : el("span", { className: "avatar is-empty", "aria-hidden": "true" }, "?"),
    el("span", { className: "picker-value" }, c && isId(c.assignee)
      ? (c.assignee === myId() ? assigneeName + " " + t("you_suffix") : assigneeName) : t("unassigned")),
    el("span", { className: "caret", "aria-hidden": "true" }, "\u25be"),
  ]);
  ui.assigneeBtn.disabled = !live;

  // Team picker (only when the workspace has teams, or the conversation still names one)
  clear(ui.teamBtn);
  append(ui.teamBtn, [
    el("span", { className: "picker-label" }, t("team_label")),
    el("span", { className: "picker-value" }, c && isId(c.team) ? teamName(c.team) : t("no_team")),
    el("span", { className: "caret", "aria-hidden": "true" }, "\u25be"),
  ]);
  ui.teamBtn.hidden = !state.teams.length && !(c && isId(c.team));
  ui.teamBtn.disabled = !live;

  // Labels: chips with ×, then "+ Label"
  clear(ui.convLabels);
  (c && Array.isArray(c.labels) ? c.labels : []).forEach(function (id) { ui.convLabels.appendChild(labelChip(id, live)); });
  ui.labelAddBtn.disabled = !live;
  closeOrphanPopover();
}

/** Whether the thread's scroll box shows its end (within a line or two). */
function nearEnd(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

/** Run `change`, which adds to or grows what the thread shows (the visitor's typing preview):
 * the thread stays at its end if it was there. */
export function changeKeepingEnd(change) {
  const box = ui.messagesScroll;
  const wasAtEnd = !!box && nearEnd(box);
  change();
  if (wasAtEnd) box.scrollTop = box.scrollHeight;
}

// The thread keeps to its end when the space around it changes (the header gains a button, a
// panel opens above the composer) if it was at its end, as it does for a new message. A scroll
// event that comes after such a change but before the observer tells nothing about where the
// reader was.
if (ui.messagesScroll && window.ResizeObserver) {
  const box = ui.messagesScroll;
  let atEnd = true;
  let seenHeight = box.clientHeight;
  box.addEventListener("scroll", function () {
    if (box.clientHeight === seenHeight) atEnd = nearEnd(box);
  }, { passive: true });
  new ResizeObserver(function () {
    seenHeight = box.clientHeight;
    if (atEnd) box.scrollTop = box.scrollHeight;
  }).observe(box);
}

/**
 * Bring the timeline in line with the thread without rebuilding what is already shown
 * (so the live region only announces what is new). `forceBottom` scrolls to the end.
 */
export function renderMessages(forceBottom, mine) {
  if (state.openNumber === null || !ui.messages) return;
  const th = thread(state.openNumber);
  const box = ui.messagesScroll;
  const nearBottom = nearEnd(box);
  const wanted = orderedTimeline(th);
  const keys = new Set(wanted.map(entryKey));
  // Drop elements that no longer belong (e.g. a pending message now stored under its id).
  Array.from(ui.messages.children).forEach(function (child) {
    if (!keys.has(child.dataset.key)) ui.messages.removeChild(child);
  });
  const existingByKey = new Map();
  Array.from(ui.messages.children).forEach(function (child) { existingByKey.set(child.dataset.key, child); });
  let cursor = null;
  wanted.forEach(function (entry) {
    const key = entryKey(entry);
    const existing = existingByKey.get(key);
    const signature = entrySignature(th, entry);
    let node = existing;
    if (!existing || existing.dataset.sig !== signature) {
      node = buildEntry(th, entry);
      node.dataset.sig = signature;
      if (existing) ui.messages.replaceChild(node, existing);
    }
    const expectedNext = cursor ? cursor.nextSibling : ui.messages.firstChild;
    if (node !== expectedNext) ui.messages.insertBefore(node, expectedNext);
    cursor = node;
  });
  ui.messagesEmpty.hidden = wanted.length > 0 || !th.loaded;
  ui.messagesLoading.hidden = th.loaded;
  if (forceBottom || nearBottom || mine) box.scrollTop = box.scrollHeight;
}

export function renderTyping() {
  if (state.openNumber === null) return;
  const th = thread(state.openNumber);
  const active = th.typing && th.typing.until > Date.now();
  ui.typing.textContent = active ? th.typing.label : "";
  ui.typing.hidden = !active;
}

export function showNotFound() {
  ui.conversation.hidden = true;
  ui.placeholder.hidden = true;
  ui.notFound.hidden = false;
}

export function setMobileView(view) {
  ui.root.dataset.view = view;
  document.querySelectorAll("[data-inbox-show-visitor]").forEach(function (b) {
    b.setAttribute("aria-expanded", String(view === "visitor"));
  });
}

/** The inbox fills the window below the site header, whatever height the header wraps to. */
export function fitHeight() {
  const top = ui.root.getBoundingClientRect().top + window.scrollY;
  ui.root.style.setProperty("--inbox-top", Math.round(top) + "px");
}

export function onPopState() {
  const n = numberFromPath();
  if (n) {
    if (n !== state.openNumber) openConversation(n, { push: false, focus: false });
  } else if (state.openNumber !== null) {
    closeConversation();
  }
}
