/* The conversation list: filters, rows, counts, selection and bulk actions. */
import { memberItems } from "./assignment.js";
import { avatar, clear, el, isId, str } from "./dom.js";
import { conversationWhen, localTimeIn, statusClass, statusText, visitorName } from "./format.js";
import { emit } from "./hooks.js";
import { labelChip, swatch } from "./labels.js";
import { toast } from "./notices.js";
import { requestView } from "./outbox.js";
import { ASSIGNEE_FILTERS, t } from "./page.js";
import { menuList, togglePopover } from "./popover.js";
import { send } from "./socket.js";
import { attentionCount, changeFilter, clearSelection, memberName, myId, myTeams, saveFilters, select, setPendingBulk, sortedConversations, state, teamName } from "./store.js";
import { ui } from "./ui.js";

// The end of the list (inside its scrolling box): scrolled into sight, it brings the next page;
// it is also a button, for keyboards and for browsers without the observer.
export const listMore = el("button", { type: "button", id: "inbox-list-more", className: "small secondary" }, t("show_more"));
export const listMoreItem = el("li", { className: "list-more" }, listMore);

/** Another view: the list shows what the server answers for it. */
export function setFilter(name, value) {
  changeFilter(name, value);
  saveFilters();
  clearSelection();
  requestView();
  renderFilters();
  renderList();
}

export function emptyText() {
  const f = state.filters;
  if (isId(f.label)) return t("empty_label");
  if (f.email) return t("empty_email");
  if (f.assignee === "mine") return t("empty_mine");
  if (f.assignee === "unassigned") return t("empty_unassigned");
  if (f.assignee === "teams") return t("empty_teams");
  if (f.status === "pending") return t("empty_pending");
  if (f.status === "snoozed") return t("empty_snoozed");
  if (f.status === "resolved") return t("empty_resolved");
  return t("empty_open");
}

export function buildRow(c) {
  const selected = c.number === state.openNumber;
  const checked = state.selected.has(c.number);
  const when = conversationWhen(c);
  const preview = str(c.preview);
  const name = visitorName(c);
  const prefix = c.preview_sender && c.preview_sender !== "visitor" && preview
    ? (c.preview_sender === "bot" ? t("preview_bot") : c.preview_sender === "system" ? "" : t("preview_team"))
    : "";
  const assigneeName = isId(c.assignee) ? memberName(c.assignee) : "";
  const meta = el("span", { className: "conv-meta" },
    el("span", { className: "conv-number" }, "#" + c.number),
    c.status !== "open" ? el("span", { className: statusClass(c.status) }, statusText(c)) : null,
    c.reply_by_email || c.channel === "email"
      ? el("span", { className: "conv-email", title: t(c.channel === "email" ? "email_started" : "email_waiting") },
        el("span", { className: "envelope-icon", "aria-hidden": "true" }), t("email_mark"))
      : null,
    c.bot ? el("span", { className: "conv-email conv-bot", title: t("bot_holds") }, t("bot")) : null,
    isId(c.assignee)
      ? el("span", { className: "conv-assignee", title: t("assigned_to", { name: assigneeName }) },
        avatar(assigneeName), el("span", { className: "conv-assignee-name" },
          c.assignee === myId() ? t("assignee_you") : assigneeName))
      : el("span", { className: "conv-assignee is-unassigned" }, t("unassigned")),
    isId(c.team) ? el("span", { className: "conv-team", title: t("team_label") }, teamName(c.team)) : null
  );
  const labels = Array.isArray(c.labels) && c.labels.length
    ? el("span", { className: "conv-labels" }, c.labels.map(function (id) { return labelChip(id, false); }))
    : null;
  const button = el("button", {
    type: "button",
    className: "conv" + (selected ? " is-selected" : "") + (c.unread ? " is-unread" : ""),
    "aria-current": selected ? "true" : null,
    dataset: { number: c.number },
    onclick: function (e) {
      e.preventDefault();
      emit("navigate", { number: c.number, push: true, focus: true });
    },
  },
    el("span", { className: "conv-top" },
      el("span", { className: "conv-name" }, name),
      el("span", { className: "conv-when" + (when.waiting ? " is-waiting" : ""), dataset: { when: c.number } }, when.text)
    ),
    el("span", { className: "conv-bottom" },
      el("span", { className: "conv-preview" }, prefix ? el("span", { className: "conv-prefix" }, prefix + " ") : null, preview || "\u00a0"),
      c.unread ? el("span", { className: "unread", "aria-label": t("unread_count", { count: c.unread }) }, String(c.unread)) : null
    ),
    meta,
    labels
  );
  const box = el("input", {
    type: "checkbox", className: "conv-check",
    "aria-label": t("select_row", { number: c.number, name: name }),
    dataset: { select: c.number },
  });
  box.checked = checked;
  box.addEventListener("change", function () {
    select(c.number, box.checked);
    renderSelection();
    box.closest("li").classList.toggle("is-checked", box.checked);
  });
  return el("li", { className: "conv-row" + (checked ? " is-checked" : "") + (selected ? " is-selected" : "") }, box, button);
}

export function renderList() {
  if (!ui.list) return;
  const list = ui.list;
  const active = document.activeElement;
  const hadFocus = list.contains(active) ? (active.dataset.number ? "number:" + active.dataset.number : active.dataset.select ? "select:" + active.dataset.select : null) : null;
  clear(list);
  const items = sortedConversations();
  // Only what is shown can be selected.
  const shown = new Set(items.map(function (c) { return c.number; }));
  state.selected.forEach(function (n) { if (!shown.has(n)) select(n, false); });
  const loading = items.length === 0 && (!!state.listPending || !state.readyOnce);
  ui.listEmpty.hidden = items.length > 0 || !state.readyOnce;
  ui.listEmpty.textContent = loading ? t("loading") : emptyText();
  items.forEach(function (c) { list.appendChild(buildRow(c)); });
  if (state.listMore) list.appendChild(listMoreItem); // only while there is more
  renderMore();
  if (hadFocus) {
    const parts = hadFocus.split(":");
    const again = parts[0] === "number"
      ? list.querySelector('button[data-number="' + CSS.escape(parts[1]) + '"]')
      : list.querySelector('input[data-select="' + CSS.escape(parts[1]) + '"]');
    if (again) again.focus();
  }
  renderCounts();
  renderSelection();
}

export function renderMore() {
  listMore.disabled = !!state.listPending;
  listMore.textContent = state.listPending && state.listMore ? t("loading") : t("show_more");
}

export function renderCounts() {
  const f = state.filters;
  ASSIGNEE_FILTERS.forEach(function (name) {
    const node = ui.counts[name];
    if (!node) return;
    if (f.status === "resolved") {
      // Resolved conversations are not all on the page: no count rather than a wrong one.
      node.textContent = "";
      node.hidden = true;
      return;
    }
    const n = state.counts ? state.counts[name] : null;
    node.textContent = typeof n === "number" ? String(n) : "";
    node.hidden = typeof n !== "number";
  });
}

export function renderFilters() {
  if (!ui.assigneeTabs) return;
  const f = state.filters;
  const teamsTab = ui.assigneeTabs.querySelector('[data-assignee="teams"]');
  if (teamsTab) teamsTab.hidden = !myTeams().length;
  ui.assigneeTabs.querySelectorAll("[data-assignee]").forEach(function (tab) {
    const on = tab.dataset.assignee === f.assignee;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
  });
  ui.statusFilter.value = f.status;
  ui.emailFilter.value = f.email ? "email" : "";
  ui.sortFilter.value = state.sort;
  // Label choices: "Any label" and every workspace label.
  const select = ui.labelFilter;
  clear(select);
  select.appendChild(el("option", { value: "" }, t("filter_any_label")));
  state.labels.forEach(function (l) {
    select.appendChild(el("option", { value: String(l.id) }, str(l.name)));
  });
  select.value = isId(f.label) ? String(f.label) : "";
  select.disabled = !state.labels.length && !isId(f.label);
}

export function renderSelection() {
  if (!ui.bulk) return;
  const shown = ui.list.querySelectorAll("input[data-select]").length;
  const n = state.selected.size;
  ui.selectAll.checked = n > 0 && n === shown;
  ui.selectAll.indeterminate = n > 0 && n < shown;
  ui.selectAll.disabled = shown === 0;
  ui.bulk.hidden = n === 0;
  ui.bulkCount.textContent = t("selected_count", { count: n });
  const busy = !!state.pendingBulk || !state.connected;
  [ui.bulkResolve, ui.bulkAssign, ui.bulkLabel].forEach(function (b) { b.disabled = busy; });
  ui.bulkLabel.hidden = !state.labels.length;
  if (n === 0) hideBulkError();
}

export function selectAll(on) {
  clearSelection();
  if (on) sortedConversations().forEach(function (c) { select(c.number, true); });
  renderList();
}

export function sendBulk(action, value) {
  const numbers = Array.from(state.selected);
  if (!numbers.length) return;
  hideBulkError();
  if (!send({ type: "bulk", conversations: numbers, action: action, value: value === undefined ? null : value })) {
    showBulkError(t("error_offline"));
    return;
  }
  setPendingBulk({ action: action });
  renderSelection();
}

export function openBulkAssignMenu(anchor) {
  togglePopover(anchor, function (box) {
    box.appendChild(menuList(t("bulk_assign"), memberItems(null, function (id) { sendBulk("assign", id); }, false)));
  });
}

export function openBulkLabelMenu(anchor) {
  togglePopover(anchor, function (box) {
    box.appendChild(menuList(t("bulk_label"), state.labels.map(function (l) {
      return { label: str(l.name), icon: swatch(l.color), onSelect: function () { sendBulk("label", [l.id]); } };
    })));
  });
}

/** The server did the bulk action (frames.js cleared it as pending). */
export function onBulkDone(f) {
  clearSelection();
  renderList();
  const changed = Array.isArray(f.changed) ? f.changed.length : 0;
  toast(t("bulk_done", { count: changed }));
  if (ui.selectAll) ui.selectAll.focus();
}

/** The bulk action in flight failed (its sender cleared it as pending). */
export function bulkFailed(text) {
  showBulkError(text);
  renderSelection();
}

export function showBulkError(text) {
  ui.bulkError.textContent = text;
  ui.bulkError.hidden = false;
}

export function hideBulkError() {
  if (!ui.bulkError) return;
  ui.bulkError.hidden = true;
  ui.bulkError.textContent = "";
}

export function tickTimes() {
  ui.list.querySelectorAll("[data-when]").forEach(function (node) {
    const c = state.conversations.get(Number(node.dataset.when));
    if (!c) return;
    const when = conversationWhen(c);
    node.textContent = when.text;
    node.classList.toggle("is-waiting", when.waiting);
  });
  const localNode = document.querySelector("[data-local-time]");
  if (localNode) localNode.textContent = localTimeIn(localNode.dataset.localTime);
}

export function updateTitle() {
  const n = attentionCount();
  document.title = n > 0 ? "(" + n + ") " + ui.baseTitle : ui.baseTitle;
}
