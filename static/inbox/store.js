import { isId, str } from "./dom.js";
import { time } from "./format.js";
import { ASSIGNEE_FILTERS, CONFIG, SORTS, STATUS_FILTERS, STORAGE_FILTERS, t } from "./page.js";

export const state = {
  me: null,              // {id, name, status, admin, teams, notify}
  teamOnline: null,
  members: [],           // [{id, name, role, capacity, teams, online}]
  membersById: new Map(),
  teams: [],             // [{id, name}]
  teamsById: new Map(),
  labels: [],            // [{id, name, color}]
  labelsById: new Map(),
  settings: {},
  rosterVersion: 0,      // bumps when names may have changed (timeline lines re-render)
  conversations: new Map(), // number -> summary, with `view`: where the server placed it in this view ({in, tabs}), or null
  everSeen: new Set(),   // numbers seen since page load (new-conversation notifications)
  since: null,           // the server's clock at the first `ready`: created after it = new
  attention: new Set(),  // open conversations waiting for me (the title's count)
  counts: null,          // the assignee tabs' counts {mine, unassigned, teams, all}, or null
  listMore: false,       // the server has more rows for this view than are loaded
  listLast: null,        // the last loaded row of this view (rows after it are not shown)
  listCursor: null,      // what to ask for to get the next page
  filters: { assignee: "all", status: "open", label: null, email: false },
  sort: "activity",
  listSeq: 0,
  listPending: null,     // request id of the `list` frame in flight
  viewPending: null,     // request id of the first page of a view, in flight: rows are placed by its answer
  selected: new Set(),   // conversation numbers ticked for a bulk action
  pendingBulk: null,
  pendingLabelCreate: null,
  composerMode: "reply", // "reply" | "note"
  openNumber: null,
  threads: new Map(),    // number -> thread (messages, activities, pending, receipts, visitor)
  connected: false,
  stopped: false,        // revoked / signed out: no more reconnects
  readyOnce: false,
  notified: new Map(),   // conversation number -> when it last beeped (no double alerts)
  revokedMessage: null,
};

export function thread(number) {
  let th = state.threads.get(number);
  if (!th) {
    th = {
      number: number,
      messages: new Map(),   // id -> message
      activities: new Map(), // id -> activity (notes, assignments…: operators only)
      pending: new Map(),    // client_id -> my reply not acked yet {client_id, body, status, error, created_at}
      notes: new Map(),      // client_id -> my note not stored yet {client_id, body, status, error, created_at, id}
      clientIds: new Set(),  // client_ids already stored (from messages or acks)
      maxId: null,           // highest id received from the server: the resume cursor
      newest: 0,             // highest id held, this operator's acknowledged replies included
      resuming: false,       // a subscribe with an after_id is on its way
      seq: 0,                // highest seq held (a conversation's messages are 1, 2, 3…)
      delivered: 0,
      read: 0,
      visitor: null,
      typing: null,          // {label, until}
      lastReadSent: 0,
      loaded: false,
    };
    state.threads.set(number, th);
  }
  return th;
}

export function isOpenStatus(status) {
  return status !== "resolved";
}

export function myId() {
  if (state.me && isId(state.me.id)) return state.me.id;
  return isId(CONFIG.me) ? CONFIG.me : null;
}

export function myTeams() {
  return state.me && Array.isArray(state.me.teams) ? state.me.teams : [];
}

export function memberName(id) {
  if (!isId(id)) return "";
  const m = state.membersById.get(id);
  if (m) return str(m.name) || t("member_unnamed");
  return t("former_member");
}

export function teamName(id) {
  const team = isId(id) ? state.teamsById.get(id) : null;
  return team ? str(team.name) : t("unknown_team");
}

export function labelName(id) {
  const label = isId(id) ? state.labelsById.get(id) : null;
  return label ? str(label.name) : t("unknown_label");
}

export function applyRoster(f) {
  if (Array.isArray(f.members)) {
    state.members = f.members.filter(function (m) { return m && isId(m.id); });
    state.membersById = new Map(state.members.map(function (m) { return [m.id, m]; }));
  }
  if (Array.isArray(f.teams)) {
    state.teams = f.teams.filter(function (x) { return x && isId(x.id); });
    state.teamsById = new Map(state.teams.map(function (x) { return [x.id, x]; }));
  }
  if (Array.isArray(f.labels)) setLabels(f.labels);
  if (f.settings && typeof f.settings === "object") state.settings = f.settings;
  state.rosterVersion += 1;
}

export function setLabels(labels) {
  state.labels = labels.filter(function (l) { return l && isId(l.id); });
  state.labelsById = new Map(state.labels.map(function (l) { return [l.id, l]; }));
  state.rosterVersion += 1;
}

// Filters are remembered per workspace in this browser.
export function loadFilters() {
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(STORAGE_FILTERS) || "null"); } catch (e) { saved = null; }
  if (!saved || typeof saved !== "object") return;
  if (ASSIGNEE_FILTERS.indexOf(saved.assignee) >= 0) state.filters.assignee = saved.assignee;
  if (STATUS_FILTERS.indexOf(saved.status) >= 0) state.filters.status = saved.status;
  if (isId(saved.label)) state.filters.label = saved.label;
  state.filters.email = saved.email === true;
  if (SORTS.indexOf(saved.sort) >= 0) state.sort = saved.sort;
}

/** A view named in the address (``?assignee=mine&status=open&sort=waiting``, as the home
 * page's counts link): chosen as if the operator had clicked it, remembered, and taken out of
 * the address, so that a reload shows the operator's own later choices. A value the inbox does
 * not know is ignored. */
export function filtersFromAddress() {
  let params;
  try { params = new URLSearchParams(location.search); } catch (e) { return; }
  const assignee = params.get("assignee");
  const status = params.get("status");
  const sort = params.get("sort");
  let named = false;
  if (ASSIGNEE_FILTERS.indexOf(assignee) >= 0) { state.filters.assignee = assignee; named = true; }
  if (STATUS_FILTERS.indexOf(status) >= 0) { state.filters.status = status; named = true; }
  if (SORTS.indexOf(sort) >= 0) { state.sort = sort; named = true; }
  if (named) { state.filters.label = null; state.filters.email = false; } // the view named is the whole view
  if (named) saveFilters();
  if (!params.has("assignee") && !params.has("status") && !params.has("sort")) return;
  ["assignee", "status", "sort"].forEach(function (name) { params.delete(name); });
  const rest = params.toString();
  try {
    history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  } catch (e) { /* the address stays as it was */ }
}

export function saveFilters() {
  try {
    localStorage.setItem(STORAGE_FILTERS, JSON.stringify({
      assignee: state.filters.assignee, status: state.filters.status,
      label: state.filters.label, email: state.filters.email, sort: state.sort,
    }));
  } catch (e) { /* private mode */ }
}

/** Merge a summary: a partial one (after a message) has no `labels`: keep the ones we had. */
export function mergeSummary(c) {
  const old = state.conversations.get(c.number);
  const merged = Object.assign({ labels: [] }, old || {}, c);
  if (!Array.isArray(merged.labels)) merged.labels = old && Array.isArray(old.labels) ? old.labels : [];
  state.conversations.set(c.number, merged);
  trackAttention(merged);
  return { old: old || null, merged: merged };
}

/** Waiting for me (the title's count): the server marks every row it sends (`attention`,
 * selectors.ATTENTION); a row without the mark leaves the set as it is. */
export function trackAttention(c) {
  if (c.attention === true) state.attention.add(c.number);
  else if (c.attention === false) state.attention.delete(c.number);
}

export function storeActivity(th, a) {
  if (!a || !isId(a.id)) return false;
  th.activities.set(a.id, a);
  th.notes.forEach(function (p, cid) { if (p.id === a.id) th.notes.delete(cid); });
  return true;
}

/** Put a server message into a thread; drop the matching pending one. "gap" when a message
 * before it is missing (the caller fetches it), else true; false for a message without an id. */
export function storeMessage(th, m) {
  if (typeof m.id !== "number") return false;
  if (m.client_id) {
    th.clientIds.add(m.client_id);
    th.pending.delete(m.client_id);
  }
  th.messages.set(m.id, Object.assign({}, th.messages.get(m.id) || {}, m));
  // A message numbered beyond the next one means one was missed (its doorbell was lost): the
  // cursor stays before it and the gap is fetched.
  const gap = gapAt(th, m.seq);
  if (!gap && (th.maxId === null || m.id > th.maxId)) th.maxId = m.id;
  if (m.id > th.newest) th.newest = m.id;
  return gap ? "gap" : true;
}

export function gapAt(th, seq) {
  if (typeof seq !== "number") return false;
  const had = th.seq;
  if (seq > had) th.seq = seq;
  return had > 0 && seq > had + 1;
}

/** An ack of my reply: the pending one becomes a message under the server's id. "gap" when
 * a message before it is missing (the caller fetches it), else true; false when the ack
 * names no id or no pending reply. */
export function storeAck(th, f) {
  const cid = f.client_id;
  const p = th.pending.get(cid);
  th.clientIds.add(cid);
  if (!p || typeof f.id !== "number") return false;
  th.pending.delete(cid);
  if (!th.messages.has(f.id)) {
    th.messages.set(f.id, {
      id: f.id, client_id: cid, sender: "operator", body: p.body,
      author: { name: state.me && state.me.name ? state.me.name : t("you") },
      created_at: f.created_at || p.created_at, delivered_at: null, read_at: null,
    });
  }
  // The cursor (maxId) does not move on an ack: a visitor's message sent just before this
  // reply may still be on its way, and a resume after it must not skip that message.
  if (f.id > th.newest) th.newest = f.id;
  return gapAt(th, f.seq) ? "gap" : true;
}

export function findThreadByClientId(cid) {
  let found = null;
  state.threads.forEach(function (th) { if (th.pending.has(cid)) found = th; });
  return found;
}

export function findThreadByNoteId(cid) {
  let found = null;
  state.threads.forEach(function (th) { if (th.notes.has(cid)) found = th; });
  return found;
}

export function latestVisitorId(th) {
  let best = 0;
  th.messages.forEach(function (m) { if (m.sender === "visitor" && m.id > best) best = m.id; });
  return best;
}

/** What the page asks the server for (`list`, `counts`); the server decides what it holds. */
export function viewFilters() {
  const filters = { assignee: state.filters.assignee, status: state.filters.status };
  if (isId(state.filters.label)) filters.label = state.filters.label;
  if (state.filters.email) filters.email = true;
  return filters;
}

/** The view's order (the server's, selectors.inbox_list): < 0 when a comes first. */
export function compareRows(a, b) {
  let d;
  if (state.sort === "waiting") {
    const wa = time(a.waiting_since), wb = time(b.waiting_since);
    if (!wa !== !wb) return wa ? -1 : 1; // waiting ones first, longest first
    d = wa - wb;
    if (d === 0) d = time(b.last_activity_at) - time(a.last_activity_at);
  } else if (state.sort === "newest") {
    d = time(b.created_at) - time(a.created_at);
  } else {
    d = time(b.last_activity_at) - time(a.last_activity_at);
  }
  return d !== 0 ? d : b.number - a.number;
}

/** Where the server placed a row in the view ({in, tabs}), or null when that is not known
 * (a malformed placement is not known either). */
export function placement(view) {
  if (!view || typeof view !== "object" || typeof view.in !== "boolean" || !Array.isArray(view.tabs)) return null;
  return { in: view.in, tabs: view.tabs.filter(function (name) { return ASSIGNEE_FILTERS.indexOf(name) >= 0; }) };
}

/** What the list shows: the rows the server placed in the view, up to the last loaded row
 * while the server has more (a row known from an event but past it waits for its page). */
export function sortedConversations() {
  const last = state.listMore ? state.listLast : null;
  const list = Array.from(state.conversations.values()).filter(function (c) {
    return !!c.view && c.view.in && (!last || compareRows(c, last) <= 0);
  });
  list.sort(compareRows);
  return list;
}

/**
 * "(3) Inbox": open conversations that are mine or nobody's yet and need an answer (unread
 * or waiting). Colleagues' conversations do not nag everyone's tab.
 */
export function attentionCount() {
  return state.attention.size;
}

// ---------------------------------------------------------------------------------------------
// Changes: every other module reads `state` and changes it through these.
// ---------------------------------------------------------------------------------------------
export function setOpenNumber(number) {
  state.openNumber = number;
}

export function changeComposerMode(mode) {
  state.composerMode = mode;
}

export function setConnected(on) {
  state.connected = on;
}

/** Revoked or signed out: no more reconnects. */
export function setStopped() {
  state.stopped = true;
  state.connected = false;
}

export function setRevokedMessage(text) {
  state.revokedMessage = text;
}

/** A `ready` frame: who I am, the roster, and a list to load again from the first page.
 * True the first time on this page. */
export function applyReady(f) {
  state.connected = true;
  state.me = f.me || state.me;
  applyRoster(f);
  if (f.team && typeof f.team.online === "number") state.teamOnline = f.team.online;
  if (state.since === null && typeof f.now === "string") state.since = f.now;
  // The list comes from the server a page at a time; what was loaded before a reconnect may be
  // stale.
  state.conversations.clear();
  state.listMore = false;
  state.listLast = null;
  state.attention = new Set((Array.isArray(f.attention) ? f.attention : []).filter((n) => typeof n === "number"));
  const first = !state.readyOnce;
  state.readyOnce = true;
  return first;
}

export function setTeamOnline(count) {
  if (typeof count === "number") state.teamOnline = count;
}

export function setMyStatus(status) {
  if (state.me) state.me.status = status;
}

export function setMyTeams(teams) {
  if (state.me && Array.isArray(teams)) state.me.teams = teams;
}

export function setMemberOnline(id, online) {
  const member = isId(id) ? state.membersById.get(id) : null;
  if (member) member.online = online;
}

export function setMyNotify(notify) {
  if (state.me && notify && typeof notify === "object") state.me.notify = notify;
}

/** One of my notification choices: kind (new_conversation | mine | mention), channel
 * (desktop | sound), on or off; `current` is the kind's choices before it. */
export function setMyPref(kind, channel, on, current) {
  if (!state.me) return;
  state.me.notify = Object.assign({}, state.me.notify || {});
  state.me.notify[kind] = Object.assign({}, current);
  state.me.notify[kind][channel] = on;
}

/** The assignee tabs' counts, or null when unknown. */
export function setCounts(counts) {
  state.counts = counts && typeof counts === "object" ? counts : null;
}

/** Note a conversation as seen on this page; true when it was not before. */
export function markSeen(number) {
  const had = state.everSeen.has(number);
  state.everSeen.add(number);
  return !had;
}

/** A conversation this page no longer shows at all. */
export function forgetConversation(number) {
  state.conversations.delete(number);
  state.attention.delete(number);
  state.selected.delete(number);
}

/** A loaded row that the server says is not in the view. */
export function dropRow(number) {
  state.conversations.delete(number);
}

/** Where the server placed row `number` in the view ({in, tabs}, or null: not known). */
export function setRowView(number, view) {
  const summary = state.conversations.get(number);
  if (summary) summary.view = view;
}

/** Another view: no row is placed in it until the server answers. */
export function forgetViews() {
  state.conversations.forEach(function (c) { c.view = null; });
}

/** A new `list` request: its id, now the one awaited. */
export function nextListRequest(firstPage) {
  state.listSeq += 1;
  state.listPending = "list-" + state.listSeq;
  if (firstPage) {
    state.listMore = false;
    state.listLast = null;
    state.viewPending = state.listPending;
  }
  return state.listPending;
}

/** The `list` request in flight (its id), or null when none is (nor its view's first page). */
export function setListPending(id) {
  state.listPending = id;
  if (id === null) state.viewPending = null;
}

/** What a `list` answer says of the view: more rows after `last`, and how to ask for them. */
export function setListPage(more, last, cursor) {
  state.listMore = !!more;
  state.listLast = last || null;
  state.listCursor = more ? cursor : null;
}

export function changeFilter(name, value) {
  if (name === "sort") state.sort = value;
  else state.filters[name] = value;
}

export function select(number, on) {
  if (on) state.selected.add(number);
  else state.selected.delete(number);
}

export function clearSelection() {
  state.selected.clear();
}

export function setPendingBulk(pending) {
  state.pendingBulk = pending;
}

export function setPendingLabelCreate(pending) {
  state.pendingLabelCreate = pending;
}

// Per conversation: its thread (messages, pending replies and notes, receipts, visitor) and
// its summary's read state.

/** A subscribe is on its way: with an after_id (a resume) when messages are held. */
export function startResume(th) {
  th.resuming = th.maxId !== null;
}

/** A history came: whether it answered a resume. */
export function endResume(th) {
  const resumed = th.resuming;
  th.resuming = false;
  return resumed;
}

export function setActivities(th, activities) {
  th.activities = new Map();
  activities.forEach(function (a) { storeActivity(th, a); });
}

export function setLoaded(th) {
  th.loaded = true;
}

export function setVisitor(th, visitor) {
  th.visitor = visitor;
}

/** The visitor's name changed: the loaded row shows it. True when there is such a row. */
export function renameVisitor(number, name) {
  const summary = state.conversations.get(number);
  if (!summary || !name) return false;
  summary.visitor = Object.assign({}, summary.visitor || {}, { name: name });
  return true;
}

export function setTyping(th, typing) {
  th.typing = typing;
}

/** A receipt: the visitor's window got (delivered) or showed (read) my messages up to an id. */
export function setReceipt(th, kind, upTo) {
  if (kind === "read") {
    th.read = Math.max(th.read, upTo);
    th.delivered = Math.max(th.delivered, upTo);
  } else if (kind === "delivered") {
    th.delivered = Math.max(th.delivered, upTo);
  }
}

/** My `read` up to `upTo` went out: the row shows no unread. True when that changed it. */
export function readSent(th, upTo) {
  th.lastReadSent = upTo;
  return clearUnread(th.number);
}

/** The row shows no unread (everything in it is read); true when it did show some. */
export function clearUnread(number) {
  const summary = state.conversations.get(number);
  if (!summary || !summary.unread) return false;
  summary.unread = 0;
  return true;
}

export function addPending(th, p) {
  th.pending.set(p.client_id, p);
}

/** A pending reply (or note) is sending | queued | failed (with `error`) | saved. */
export function setPendingStatus(p, status, error) {
  p.status = status;
  p.error = error || null;
}

/** Take a pending reply out of its thread (its text goes back to the composer). */
export function takePending(th, cid) {
  const p = th.pending.get(cid) || null;
  th.pending.delete(cid);
  return p;
}

export function addNote(th, p) {
  th.notes.set(p.client_id, p);
}

/** Take a pending note out of its thread (refused, or its text back to the composer). */
export function takeNote(th, cid) {
  const p = th.notes.get(cid) || null;
  th.notes.delete(cid);
  return p;
}

/** The server stored my note as activity `id`: once that activity is here, the pending card
 * goes; until then it shows as saved. False when no such note is pending. */
export function noteSaved(th, cid, id) {
  const p = th.notes.get(cid);
  if (!p) return false;
  if (isId(id) && th.activities.has(id)) th.notes.delete(cid);
  else {
    p.id = isId(id) ? id : null;
    p.status = "saved";
  }
  return true;
}

export function markNotified(number) {
  state.notified.set(number, Date.now());
}
