import { openSnoozeMenu } from "./assignment.js";
import { setComposerMode } from "./composer.js";
import { setMobileView } from "./conversation.js";
import { clear, el } from "./dom.js";
import { openLabelMenu } from "./labels.js";
import { assign, setStatus } from "./outbox.js";
import { t } from "./page.js";
import { closePopover, popoverBox, popoverOpen } from "./popover.js";
import { myId, state } from "./store.js";
import { ui } from "./ui.js";

export function isTypingTarget(node) {
  if (!node || node === document.body) return false;
  if (node.isContentEditable) return true;
  const tag = node.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (node.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "color", "range"].indexOf(type) < 0;
  }
  return false;
}

export function listButtons() {
  return Array.from(ui.list.querySelectorAll("button.conv"));
}

/** j/k: move the focus to the next/previous conversation in the list (Enter opens it). */
export function moveInList(delta) {
  const rows = listButtons();
  if (!rows.length) return;
  if (ui.root.dataset.view !== "list" && window.matchMedia("(max-width: 700px)").matches) setMobileView("list");
  let current = rows.indexOf(document.activeElement);
  if (current < 0 && document.activeElement && document.activeElement.dataset && document.activeElement.dataset.select) {
    current = rows.findIndex(function (b) { return b.dataset.number === document.activeElement.dataset.select; });
  }
  if (current < 0 && state.openNumber !== null) {
    current = rows.findIndex(function (b) { return Number(b.dataset.number) === state.openNumber; });
  }
  const next = current < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, current + delta));
  rows[next].focus();
  rows[next].scrollIntoView({ block: "nearest" });
}

export function shortcutList() {
  const list = [
    [["j", "\u2193"], t("shortcut_next")],
    [["k", "\u2191"], t("shortcut_previous")],
    [["Enter"], t("shortcut_open")],
    [["r"], t("shortcut_reply")],
    [["n"], t("shortcut_note")],
    [["Ctrl", "Alt", "N"], t("shortcut_toggle_note")],
    [["e"], t("shortcut_resolve")],
    [["s"], t("shortcut_snooze")],
    [["a"], t("shortcut_assign_me")],
    [["l"], t("shortcut_labels")],
  ];
  if (searchFocus) list.push([["/"], t("shortcut_search")]);
  list.push([["?"], t("shortcut_help")]);
  list.push([["Esc"], t("shortcut_close")]);
  return list;
}

let helpReturnFocus = null;
let searchFocus = null; // set by search.js (through api.js) when the page has the search field

export function setSearch(focus) {
  searchFocus = typeof focus === "function" ? focus : null;
}

export function openHelp() {
  closePopover(false);
  helpReturnFocus = document.activeElement;
  const body = ui.helpBody;
  clear(body);
  const dl = el("dl", { className: "shortcuts" });
  shortcutList().forEach(function (s) {
    const keys = el("dt", null);
    s[0].forEach(function (k, i) {
      if (i > 0) keys.appendChild(document.createTextNode(s[0].length === 2 && s[0][0].length === 1 ? " / " : " + "));
      keys.appendChild(el("kbd", null, k));
    });
    dl.appendChild(keys);
    dl.appendChild(el("dd", null, s[1]));
  });
  body.appendChild(dl);
  ui.help.hidden = false;
  ui.helpClose.focus();
}

export function closeHelp() {
  if (ui.help.hidden) return;
  ui.help.hidden = true;
  if (helpReturnFocus && helpReturnFocus.isConnected) helpReturnFocus.focus();
  helpReturnFocus = null;
}

export function focusComposer(mode) {
  if (state.openNumber === null) return;
  setMobileView("conversation");
  setComposerMode(mode);
  ui.composer.focus();
}

export function onGlobalKey(e) {
  if (e.defaultPrevented || e.isComposing) return;
  if (e.key === "Escape") {
    if (!ui.help.hidden) { e.preventDefault(); closeHelp(); return; }
    if (popoverOpen()) { e.preventDefault(); closePopover(true); return; }
    return;
  }
  if (!ui.help.hidden) {
    if (e.key === "Tab") { e.preventDefault(); ui.helpClose.focus(); } // the dialog's only control
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (isTypingTarget(e.target)) return;
  if (popoverOpen() && popoverBox().contains(e.target)) return;
  const inList = ui.list.contains(e.target);
  const onPage = e.target === document.body || e.target === document.documentElement;
  const open = state.openNumber;
  const c = open !== null ? state.conversations.get(open) : null;
  let handled = true;
  switch (e.key) {
    case "?": openHelp(); break;
    case "j": moveInList(1); break;
    case "k": moveInList(-1); break;
    case "ArrowDown": if (inList || onPage) moveInList(1); else handled = false; break;
    case "ArrowUp": if (inList || onPage) moveInList(-1); else handled = false; break;
    case "r": if (open !== null) focusComposer("reply"); else handled = false; break;
    case "n": if (open !== null) focusComposer("note"); else handled = false; break;
    case "e":
      if (c && c.status !== "resolved") setStatus(open, "resolved");
      else handled = false;
      break;
    case "s":
      if (c && c.status !== "resolved" && !ui.snoozeBtn.disabled) { setMobileView("conversation"); openSnoozeMenu(ui.snoozeBtn); } else handled = false;
      break;
    case "a":
      if (c && c.assignee !== myId()) assign(open, { assignee: myId() });
      else handled = false;
      break;
    case "l":
      if (c && !ui.labelAddBtn.disabled) { setMobileView("conversation"); openLabelMenu(ui.labelAddBtn); } else handled = false;
      break;
    case "/":
      if (searchFocus) searchFocus();
      else handled = false;
      break;
    default: handled = false;
  }
  if (handled) e.preventDefault();
}
