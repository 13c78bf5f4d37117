/*
 * Sohbet operator inbox: the page's entry module. Native ES modules, no dependencies, no build
 * step; each module owns one concern (docs/architecture.md, "Front end"):
 *   page.js (page data, strings, constants) · dom.js, format.js (text-only DOM helpers, times,
 *   names) · store.js (the state, changed only through its functions) · socket.js (connection,
 *   backoff, heartbeat) · frames.js (incoming frames) · outbox.js (outgoing actions, acks) ·
 *   list.js (list pane: filters, rows, bulk) · conversation.js, timeline.js (the open
 *   conversation) · composer.js (reply/note, @mentions, typing) · popover.js, assignment.js,
 *   labels.js (menus) · visitor.js (visitor panel) · notices.js (presence, banner, toasts) ·
 *   notifications.js (alerts, sound, desktop, preferences) · shortcuts.js (keys, help) ·
 *   hooks.js (events: how the lower modules tell the page, and the other scripts, what
 *   happened) · api.js (what the inbox's other scripts use: canned.js, search.js, live.js,
 *   contact.js).
 * Imports go one way: store, socket, frames and outbox import none of the page's parts.
 * Security rule: everything that comes from a visitor or a teammate (names, messages, notes,
 * pages, attributes, label names…) reaches the DOM through textContent / createTextNode only;
 * links are built with DOM APIs and only for http(s) URLs. No module uses innerHTML or
 * insertAdjacentHTML.
 *
 * This module wires the lower modules' events and the page's controls to the others, and
 * connects.
 */
import { openAssigneeMenu, openSnoozeMenu, openTeamMenu } from "./assignment.js";
import { renderActions } from "./actions.js";
import { autoGrow, closeMentions, mentionKeys, noteRefused, renderReach, sendTyping, setComposerMode, submitComposer, updateComposerState, updateMentions } from "./composer.js";
import { closeConversation, fitHeight, onPopState, openConversation, renderConversation, renderConversationHeader, renderMessages, renderTyping, setMobileView, showNotFound } from "./conversation.js";
import { $ } from "./dom.js";
import { handleFrame } from "./frames.js";
import { emit, on } from "./hooks.js";
import { openLabelMenu } from "./labels.js";
import { bulkFailed, listMore, listMoreItem, onBulkDone, openBulkAssignMenu, openBulkLabelMenu, renderCounts, renderFilters, renderList, renderMore, renderSelection, selectAll, sendBulk, setFilter, tickTimes, updateTitle } from "./list.js";
import { dismissToastsFor, hideBanner, renderPresence, setPresence, showBanner, showInlineError, toast } from "./notices.js";
import { notificationsWanted, notify, onAlert, onNotifyButton, renderNotifyButton, renderPrefsPopover, unlockAudio } from "./notifications.js";
import { connectionLost, loadMore, maybeSendRead, setStatus } from "./outbox.js";
import { INBOX_BASE, INITIAL_NUMBER, numberFromPath, t, TICK_MS } from "./page.js";
import { closePopover, placePopover, popoverHas, popoverOpen } from "./popover.js";
import { closeHelp, onGlobalKey } from "./shortcuts.js";
import { connect, onFrame, retryNow } from "./socket.js";
import { clearSelection, filtersFromAddress, loadFilters, setOpenNumber, state } from "./store.js";
import { ui } from "./ui.js";
import { renderVisitor } from "./visitor.js";

/** The lower modules (socket, frames, outbox) import none of the page's parts: they emit
 * events (hooks.js), and this is what each one redraws or does. */
function wire() {
  onFrame(handleFrame);
  on("down", connectionLost);

  on("list", renderList);
  on("title", updateTitle);
  on("filters", renderFilters);
  on("counts", renderCounts);
  on("more", renderMore);
  on("conversation", renderConversation);
  on("header", renderConversationHeader);
  on("messages", function (d) { renderMessages(!!(d && d.bottom), !!(d && d.mine)); });
  on("typing", renderTyping);
  on("visitor", renderVisitor);
  on("visitor", renderReach);
  on("header", renderReach);
  on("header", renderActions);
  on("presence", renderPresence);
  on("composer", updateComposerState);
  on("prefs", renderPrefsPopover);
  on("banner", function (b) {
    if (!b) {
      hideBanner();
      return;
    }
    showBanner(b.kind, b.text);
    // What the connection enables or disables.
    renderConversationHeader();
    renderPresence();
    renderSelection();
  });

  on("navigate", function (d) { openConversation(d.number, { push: d.push, focus: d.focus }); });
  on("open", dismissToastsFor);
  on("close", closeConversation);
  on("not_found", showNotFound);
  on("inline_error", showInlineError);
  on("toast", function (d) { toast(d.text, d); });
  on("notify", function (d) { notify(d.kind, d.title, d.body, d.number); });
  on("note_refused", noteRefused);
  on("bulk_done", onBulkDone);
  on("bulk_failed", bulkFailed);
  on("alert", onAlert);
}

function init() {
  if (!ui.root) return;
  wire();
  listMore.addEventListener("click", loadMore);
  if (typeof IntersectionObserver === "function") {
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) loadMore();
    }).observe(listMoreItem);
  }

  loadFilters();
  filtersFromAddress();

  // List pane: filters, selection, bulk actions
  const tabs = Array.from(ui.assigneeTabs.querySelectorAll("[data-assignee]"));
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () { setFilter("assignee", tab.dataset.assignee); });
    tab.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      e.preventDefault();
      const shown = tabs.filter(function (x) { return !x.hidden; });
      const i = shown.indexOf(tab);
      const next = shown[(i + (e.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
      next.focus();
      next.click();
    });
  });
  ui.statusFilter.addEventListener("change", function () { setFilter("status", ui.statusFilter.value); });
  ui.labelFilter.addEventListener("change", function () {
    setFilter("label", ui.labelFilter.value ? Number(ui.labelFilter.value) : null);
  });
  ui.emailFilter.addEventListener("change", function () { setFilter("email", ui.emailFilter.value === "email"); });
  ui.sortFilter.addEventListener("change", function () { setFilter("sort", ui.sortFilter.value); });
  ui.selectAll.addEventListener("change", function () { selectAll(ui.selectAll.checked); });
  ui.bulkResolve.addEventListener("click", function () { sendBulk("resolve", null); });
  ui.bulkAssign.addEventListener("click", function () { openBulkAssignMenu(ui.bulkAssign); });
  ui.bulkLabel.addEventListener("click", function () { openBulkLabelMenu(ui.bulkLabel); });
  ui.bulkClear.addEventListener("click", function () {
    clearSelection();
    renderList();
    ui.selectAll.focus();
  });

  // Conversation header
  ui.resolveBtn.addEventListener("click", function () {
    if (state.openNumber === null) return;
    const status = ui.resolveBtn.dataset.action === "reopen" ? "open" : "resolved";
    if (setStatus(state.openNumber, status)) {
      ui.resolveBtn.disabled = true;
      setTimeout(renderConversationHeader, 5000);
    }
  });
  ui.pendingBtn.addEventListener("click", function () {
    if (setStatus(state.openNumber, ui.pendingBtn.dataset.status === "pending" ? "pending" : "open")) {
      ui.pendingBtn.disabled = true;
      setTimeout(renderConversationHeader, 5000);
    }
  });
  ui.snoozeBtn.addEventListener("click", function () { openSnoozeMenu(ui.snoozeBtn); });
  ui.assigneeBtn.addEventListener("click", function () { openAssigneeMenu(ui.assigneeBtn); });
  ui.teamBtn.addEventListener("click", function () { openTeamMenu(ui.teamBtn); });
  ui.labelAddBtn.addEventListener("click", function () { openLabelMenu(ui.labelAddBtn); });

  // Composer
  ui.form.addEventListener("submit", function (e) {
    e.preventDefault();
    submitComposer();
    ui.composer.focus();
  });
  ui.composer.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return; // another script's picker (canned responses) used the key
    if ((e.ctrlKey || e.metaKey) && e.altKey && e.code === "KeyN") {
      e.preventDefault();
      setComposerMode(state.composerMode === "note" ? "reply" : "note");
      return;
    }
    if (mentionKeys(e)) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitComposer();
    }
  });
  ui.composer.addEventListener("input", function () {
    autoGrow();
    updateMentions();
    if (state.openNumber !== null) sendTyping(state.openNumber, ui.composer.value.trim() !== "");
  });
  ui.composer.addEventListener("click", updateMentions);
  ui.composer.addEventListener("blur", function () {
    sendTyping(state.openNumber, false);
    setTimeout(function () { if (document.activeElement !== ui.composer) closeMentions(); }, 150);
  });
  [ui.modeReply, ui.modeNote].forEach(function (b) {
    b.addEventListener("click", function () {
      setComposerMode(b === ui.modeNote ? "note" : "reply");
      ui.composer.focus();
    });
    b.addEventListener("keydown", function (e) {
      if (["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"].indexOf(e.key) < 0) return;
      e.preventDefault();
      const note = state.composerMode !== "note";
      setComposerMode(note ? "note" : "reply");
      (note ? ui.modeNote : ui.modeReply).focus();
    });
  });

  ui.presenceOnline.addEventListener("click", function () { setPresence("online"); });
  ui.presenceAway.addEventListener("click", function () { setPresence("away"); });
  ui.bannerRetry.addEventListener("click", retryNow);
  ui.notifyBtn.addEventListener("click", onNotifyButton);
  ui.helpClose.addEventListener("click", closeHelp);
  ui.help.addEventListener("click", function (e) { if (e.target === ui.help) closeHelp(); });
  // Each of these buttons hides itself with its pane: focus goes where the person now is.
  document.querySelectorAll("[data-inbox-back]").forEach(function (b) {
    b.addEventListener("click", function () {
      const left = state.openNumber;
      if (numberFromPath()) history.pushState({}, "", INBOX_BASE);
      closeConversation();
      const row = ui.list.querySelector('button.conv[data-number="' + left + '"]') || ui.list.querySelector("button.conv");
      if (row) row.focus();
    });
  });
  document.querySelectorAll("[data-inbox-show-visitor]").forEach(function (b) {
    b.addEventListener("click", function () { setMobileView("visitor"); $("inbox-visitor").focus(); });
  });
  // On a phone the conversation's header shows its title and Resolve; the other buttons
  // (details, transcript, snooze, assignee, labels…) behind "More actions", so the
  // messages keep the screen.
  const more = $("inbox-more");
  if (more) {
    more.addEventListener("click", function () {
      const open = more.getAttribute("aria-expanded") !== "true";
      more.setAttribute("aria-expanded", open ? "true" : "false");
      $("inbox-conv-header").dataset.more = open ? "open" : "closed";
    });
  }
  document.querySelectorAll("[data-inbox-hide-visitor]").forEach(function (b) {
    b.addEventListener("click", function () {
      setMobileView("conversation");
      document.querySelector("[data-inbox-show-visitor]").focus();
    });
  });

  document.addEventListener("keydown", onGlobalKey);
  document.addEventListener("pointerdown", function (e) {
    if (popoverOpen() && !popoverHas(e.target)) closePopover(false);
  }, true);
  window.addEventListener("popstate", onPopState);
  window.addEventListener("resize", function () {
    fitHeight();
    placePopover();
  });
  fitHeight();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") maybeSendRead();
  });
  window.addEventListener("focus", maybeSendRead);
  window.addEventListener("online", retryNow);
  // Browsers only start audio after a user gesture: unlock it on the first one.
  const unlockOnce = function () {
    if (notificationsWanted()) unlockAudio();
    document.removeEventListener("pointerdown", unlockOnce, true);
    document.removeEventListener("keydown", unlockOnce, true);
  };
  document.addEventListener("pointerdown", unlockOnce, true);
  document.addEventListener("keydown", unlockOnce, true);
  setInterval(function () { tickTimes(); renderTyping(); }, TICK_MS);

  const initial = numberFromPath() || INITIAL_NUMBER;
  if (initial) {
    setOpenNumber(Number(initial));
    history.replaceState({ number: state.openNumber }, "", INBOX_BASE + state.openNumber + "/");
    setMobileView("conversation");
    renderConversation();
  } else {
    setMobileView("list");
    renderConversation();
  }
  setComposerMode("reply");
  renderFilters();
  renderNotifyButton();
  renderPresence();
  updateComposerState();
  emit("banner", { kind: "connecting", text: t("connecting") });
  connect();
}

init();
