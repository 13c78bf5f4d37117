/*
 * Incoming frames (docs/widget-protocol.md, "Operator socket"): each changes the state
 * (store.js) and says through hooks.js what the page should redraw or show.
 */
import { isId, safeColor, str } from "./dom.js";
import { time, visitorName } from "./format.js";
import { emit } from "./hooks.js";
import { maybeSendRead, refreshCounts, refuseNote, requestList, requestView, resendPending, stopAwaitingAck, subscribe } from "./outbox.js";
import { ASSIGNEE_FILTERS, INBOX_BASE, INITIAL_NUMBER, numberFromPath, t, TYPING_SHOW_MS } from "./page.js";
import { stop } from "./socket.js";
import { applyReady, applyRoster, changeFilter, clearUnread, compareRows, dropRow, endResume, findThreadByClientId, findThreadByNoteId, forgetConversation, isOpenStatus, latestVisitorId, markSeen, mergeSummary, myId, myTeams, noteSaved, placement, renameVisitor, saveFilters, setActivities, setCounts, setLabels, setListPage, setListPending, setLoaded, setMemberOnline, setMyNotify, setMyStatus, setMyTeams, setPendingBulk, setPendingLabelCreate, setPendingStatus, setReceipt, setRevokedMessage, setRowView, setTeamOnline, setTyping, setVisitor, state, storeAck, storeActivity, storeMessage, thread, viewFilters } from "./store.js";

export function handleFrame(f) {
  emit("frame", f);
  switch (f.type) {
    case "ready": return onReady(f);
    case "conversation": return onConversation(f.conversation, f.from_message === true, f.view);
    case "conversation_hidden": return onConversationHidden(f.conversation);
    case "list": return onList(f);
    case "counts": return onCounts(f);
    case "history": return onHistory(f);
    case "message": return onMessage(f.conversation, f.message);
    case "activity": return onActivity(f.conversation, f.activity);
    case "ack": return onAck(f);
    case "note_ack": return onNoteAck(f);
    case "typing": return onTyping(f);
    case "receipt": return onReceipt(f);
    case "visitor": return onVisitor(f);
    case "presence": return onPresence(f);
    case "roster": return onRoster(f);
    case "labels": return onLabels(f);
    case "label_created": return onLabelCreated(f);
    case "bulk_done": return onBulkDone(f);
    case "alert": return emit("alert", f);
    case "prefs": return onPrefs(f);
    case "revoked": return onRevoked(f);
    case "error": return onError(f);
    case "pong": return onPong(f);
    default: return;
  }
}

/** The heartbeat names the newest message of the open conversation: one this page does not
 * hold means a doorbell was lost (a server process or Redis dropped it); fetch the gap. */
export function onPong(f) {
  if (typeof f.conversation !== "number" || typeof f.last_id !== "number") return;
  const th = thread(f.conversation);
  if (f.last_id > th.newest && !th.resuming) subscribe(f.conversation);
}

export function onReady(f) {
  // The list comes from the server a page at a time (requestList below); what was loaded
  // before a reconnect may be stale.
  const first = applyReady(f);
  checkFilters();
  emit("banner", null);
  emit("presence");
  emit("filters");
  emit("list");
  emit("title");
  if (first) {
    const n = state.openNumber !== null ? state.openNumber : numberFromPath() || INITIAL_NUMBER;
    if (n) emit("navigate", { number: n, push: false, focus: false });
    else emit("conversation");
  } else if (state.openNumber !== null) {
    subscribe(state.openNumber);
    emit("header");
    emit("messages");
  }
  // The first page of the view (and after a reconnect, everything this page missed).
  requestList();
  resendPending();
  emit("composer");
  emit("prefs");
  emit("ready", f);
}

/** Drop filter choices that no longer exist (a deleted label, teams I left); true when one
 * was dropped (the view is asked for again). */
export function checkFilters() {
  let changed = false;
  if (state.filters.assignee === "teams" && !myTeams().length) { changeFilter("assignee", "all"); changed = true; }
  if (isId(state.filters.label) && state.rosterVersion > 0 && !state.labelsById.has(state.filters.label)) {
    changeFilter("label", null);
    changed = true;
  }
  if (changed) {
    saveFilters();
    if (state.connected) requestView();
  }
  return changed;
}

// A row that left my sight: in no view and no tab.
const NOWHERE = Object.freeze({ in: false, tabs: [] });

/** The tabs show the server's counts only: each answer counts every tab in one query, so the
 * tabs always agree with each other (no tab above All). A row that moved between tabs
 * (`before` and `now`: the tabs the server said count it) asks for them again; the asks are
 * at most one a second, and the last one is asked after the last change. Counting here from
 * the rows' moves instead would go wrong when a row's push and an answer cross on their way
 * (they take different roads): the answer may or may not hold the move. */
export function countChange(before, now) {
  if (!state.counts) return;
  const tabs = function (v) { return v && Array.isArray(v.tabs) ? v.tabs : []; };
  const was = tabs(before), is = tabs(now);
  if (before && now && ASSIGNEE_FILTERS.every(function (name) {
    return (was.indexOf(name) >= 0) === (is.indexOf(name) >= 0);
  })) return; // counted in the same tabs as before
  refreshCounts();
}

export function onCounts(f) {
  if (JSON.stringify(f.filters || {}) !== JSON.stringify(viewFilters())) return; // another view
  countsArrived(f.counts);
  emit("counts");
}

/** Counts from the server (the latest answer wins; a later ask brings newer ones). */
function countsArrived(counts) {
  setCounts(counts);
}

/** A list row pushed by the server, with `view`: whether the page's view holds it and which
 * tabs count it. Until the first page of a new view is here, rows are placed by that page. */
export function onConversation(c, fromMessage, view) {
  if (!c || typeof c.number !== "number") return;
  // Rows of two server processes can cross on their way here, and the server holds a busy
  // workspace's message rows back for up to 20 ms. A stale row would put back an earlier
  // preview, unread count or assignee, so it is dropped: a partial row (no labels: a
  // message's or a read's) older than the row shown, and a message's row no newer than it
  // (a change of the same moment, such as a read or an assignment, came after it).
  const held = state.conversations.get(c.number);
  if (held) {
    const at = time(c.last_activity_at), shown = time(held.last_activity_at);
    if (at < shown && !Array.isArray(c.labels)) return;
    if (fromMessage && at <= shown) return;
  }
  // New to this inbox: never seen here and created since it opened (an older conversation
  // may simply be on a page not loaded yet).
  const isNew = markSeen(c.number) && state.since !== null && time(c.created_at) > time(state.since);
  const placed = state.viewPending ? null : placement(view);
  const result = mergeSummary(c);
  const merged = result.merged, old = result.old;
  if (placed) setRowView(c.number, placed);
  countChange(old && old.view, placed);
  if (c.number === state.openNumber && merged.unread && document.visibilityState === "visible") {
    // The operator is looking at it. A summary counted before our `read` reached the server
    // is stale: once everything shown is read, show it as read.
    maybeSendRead();
    const th = thread(c.number);
    if (th.loaded && th.lastReadSent && th.lastReadSent >= latestVisitorId(th)) clearUnread(c.number);
  }
  emit("list");
  emit("title");
  if (c.number === state.openNumber) {
    emit("header");
    // Reopened by the visitor's message: that line is not sent live; the history has it.
    if (old && old.status !== "open" && merged.status === "open" && state.connected) subscribe(c.number);
  }
  const me = myId();
  if (isNew && isOpenStatus(merged.status) && (merged.assignee === null || merged.assignee === undefined || merged.assignee === me)) {
    emit("notify", {
      kind: "new_conversation", title: t("notification_title"),
      body: visitorName(merged) + (merged.preview ? ": " + str(merged.preview) : ""), number: merged.number,
    });
  } else if (old && me !== null && merged.assignee === me && merged.preview_sender === "visitor" &&
             (merged.unread || 0) > (old.unread || 0) && !lookingAt(merged.number)) {
    emit("notify", {
      kind: "mine", title: t("notification_message_title"),
      body: visitorName(merged) + (merged.preview ? ": " + str(merged.preview) : ""), number: merged.number,
    });
  }
}

export function lookingAt(number) {
  return number === state.openNumber && document.visibilityState === "visible" &&
    (typeof document.hasFocus !== "function" || document.hasFocus());
}

export function onConversationHidden(number) {
  if (typeof number !== "number") return;
  const old = state.conversations.get(number);
  countChange(old && old.view, NOWHERE);
  forgetConversation(number);
  emit("list");
  emit("title");
  if (number === state.openNumber) {
    emit("toast", { text: t("conversation_hidden", { number: number }) });
    if (numberFromPath()) history.pushState({}, "", INBOX_BASE);
    emit("close");
  }
}

export function onList(f) {
  if (!f.request || f.request !== state.listPending) return; // an older request: ignore
  setListPending(null);
  const got = new Set();
  const rows = Array.isArray(f.conversations) ? f.conversations : [];
  rows.forEach(function (c) {
    if (!c || typeof c.number !== "number") return;
    got.add(c.number);
    markSeen(c.number);
    mergeSummary(c);
    setRowView(c.number, placement(c.view) || { in: true, tabs: null }); // a page's rows are in its view
  });
  const first = !f.after;
  const from = first ? null : state.listLast; // this page covers (from, its last row]
  const last = rows.length ? state.conversations.get(rows[rows.length - 1].number) : from;
  // The answer is the whole truth for the part of the view it covers: drop what we believed
  // was in it there but is not.
  state.conversations.forEach(function (c, number) {
    if (got.has(number) || !c.view || !c.view.in) return;
    if (from && compareRows(c, from) <= 0) return; // an earlier page's
    if (f.more && last && compareRows(c, last) > 0) return; // a later page's
    if (number === state.openNumber) setRowView(number, null); // its header still needs it
    else dropRow(number);
  });
  setListPage(f.more, last, f.cursor);
  if (first) countsArrived(f.counts);
  emit("list");
  emit("title");
}

export function onHistory(f) {
  const number = f.conversation;
  if (typeof number !== "number") return;
  const th = thread(number);
  const resumed = endResume(th);
  (f.messages || []).forEach(function (m) { if (storeMessage(th, m) === "gap") resubscribe(th); });
  // A resume that brought one page of several: the next page after it.
  if (resumed && f.more) subscribe(number);
  if (Array.isArray(f.activities)) setActivities(th, f.activities);
  setLoaded(th);
  if (f.visitor) setVisitor(th, f.visitor);
  if (f.summary && f.summary.number === number) {
    // Opened from a link or a search: its summary, though no loaded page holds it.
    const had = state.conversations.has(number);
    mergeSummary(f.summary);
    const placed = state.viewPending ? null : placement(f.view);
    if (!had && placed) setRowView(number, placed);
    if (!had) emit("list");
    emit("title");
  }
  if (number === state.openNumber) {
    emit("messages", { bottom: true });
    emit("visitor");
    emit("header");
    maybeSendRead();
  }
}

export function onMessage(number, m) {
  if (typeof number !== "number" || !m) return;
  const th = thread(number);
  const changed = storeMessage(th, m);
  if (changed === "gap") resubscribe(th);
  if (m.sender === "visitor" && th.typing) setTyping(th, null);
  if (number === state.openNumber && changed) {
    emit("messages");
    emit("typing");
    if (m.sender === "visitor") maybeSendRead();
  }
}

export function onActivity(number, a) {
  if (typeof number !== "number") return;
  const th = thread(number);
  if (storeActivity(th, a) && number === state.openNumber) emit("messages");
}

export function resubscribe(th) {
  if (!th.resuming && th.number === state.openNumber) subscribe(th.number);
}

export function onAck(f) {
  const number = f.conversation;
  const cid = f.client_id;
  if (!cid) return;
  const th = typeof number === "number" ? thread(number) : findThreadByClientId(cid);
  if (!th) return;
  const stored = storeAck(th, f);
  if (stored) stopAwaitingAck(cid);
  if (stored === "gap") resubscribe(th);
  if (th.number === state.openNumber) emit("messages");
}

export function onNoteAck(f) {
  const cid = f.client_id;
  if (!cid) return;
  const th = typeof f.conversation === "number" ? thread(f.conversation) : findThreadByNoteId(cid);
  if (!th) return;
  stopAwaitingAck(cid);
  if (!noteSaved(th, cid, f.id)) return;
  if (th.number === state.openNumber) emit("messages");
}

let typingTimer = null;

function typingChanged() {
  emit("typing");
}

export function onTyping(f) {
  const number = f.conversation;
  if (typeof number !== "number") return;
  const th = thread(number);
  const author = f.author;
  const fromVisitor = author === "visitor" || !author || author.type === "visitor";
  if (!fromVisitor && state.me && author && author.id !== undefined && author.id === state.me.id) return;
  setTyping(th, f.typing ? {
    label: fromVisitor ? t("visitor_typing") : t("teammate_typing", { name: str(author && author.name) }),
    until: Date.now() + TYPING_SHOW_MS,
  } : null);
  if (number === state.openNumber) {
    typingChanged();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(typingChanged, TYPING_SHOW_MS + 100);
  }
}

export function onReceipt(f) {
  const number = f.conversation;
  if (typeof number !== "number" || typeof f.up_to !== "number") return;
  setReceipt(thread(number), f.state, f.up_to);
  if (number === state.openNumber) emit("messages");
}

export function onVisitor(f) {
  const number = f.conversation;
  if (typeof number !== "number" || !f.visitor) return;
  const th = thread(number);
  if (f.partial && !th.visitor) return; // nothing to change yet: the whole panel comes on open
  setVisitor(th, f.partial ? Object.assign({}, th.visitor, f.visitor) : f.visitor);
  if (renameVisitor(number, f.visitor.name)) emit("list");
  if (number === state.openNumber) {
    emit("visitor");
    emit("header");
  }
}

export function onPresence(f) {
  if (f.team) setTeamOnline(f.team.online);
  if (state.me && f.user !== undefined && f.user === state.me.id && f.status) setMyStatus(f.status);
  if (f.status) setMemberOnline(f.user, f.status === "online");
  emit("presence");
}

export function onRoster(f) {
  const before = JSON.stringify([myTeams(), state.settings.visibility]);
  applyRoster(f);
  setMyTeams(f.me_teams);
  const moved = JSON.stringify([myTeams(), state.settings.visibility]) !== before;
  // What I may see, or whose the "teams" tab is, changed: the server places the rows again.
  if (!checkFilters() && moved && state.connected) requestList();
  emit("filters");
  emit("list");
  emit("header");
  emit("messages");
}

export function onLabels(f) {
  if (!Array.isArray(f.labels)) return;
  setLabels(f.labels);
  checkFilters();
  emit("filters");
  emit("list");
  emit("header");
  emit("messages");
}

export function onLabelCreated(f) {
  const label = f.label;
  if (!label || !isId(label.id)) return;
  const pending = state.pendingLabelCreate;
  const mine = pending && str(label.name).toLocaleLowerCase() === pending.name.toLocaleLowerCase();
  if (!state.labelsById.has(label.id)) {
    const full = { id: label.id, name: str(label.name), color: safeColor(label.color || (mine ? pending.color : "")) };
    setLabels(state.labels.concat([full]).sort(function (a, b) { return str(a.name).localeCompare(str(b.name)); }));
    emit("filters");
  }
  if (mine) {
    setPendingLabelCreate(null);
    pending.then(label);
  }
}

export function onBulkDone(f) {
  setPendingBulk(null);
  emit("bulk_done", f);
}

export function onPrefs(f) {
  setMyNotify(f.notify);
  emit("prefs");
}

export function onRevoked(f) {
  setRevokedMessage(str(f.message) || t("access_revoked"));
  stop(state.revokedMessage);
}

const LIST_FIELDS = ["filters", "assignee", "status", "label", "team", "sort"];

export function onError(f) {
  // Errors about an extension script's frame (client_id "ext:…") are shown by that script.
  if (typeof f.client_id === "string" && f.client_id.indexOf("ext:") === 0) return;
  // The socket is refused and closes: the banner says what happens next (socket.js).
  if (f.code === "unauthenticated") return;
  const text = str(f.message) || t("error_generic");
  if (f.client_id) {
    const th = findThreadByClientId(f.client_id);
    if (th) {
      setPendingStatus(th.pending.get(f.client_id), "failed", text);
      if (th.number === state.openNumber) emit("messages");
      return;
    }
    const nth = findThreadByNoteId(f.client_id);
    if (nth) {
      refuseNote(nth, f.client_id, text);
      return;
    }
  }
  if (state.pendingLabelCreate && (f.field === "name" || f.field === "color" || f.code === "duplicate")) {
    const pl = state.pendingLabelCreate;
    setPendingLabelCreate(null);
    pl.fail(text);
    return;
  }
  if (state.pendingBulk) {
    setPendingBulk(null);
    emit("bulk_failed", text);
    return;
  }
  if (state.listPending && f.field === "cursor") {
    // The page after the loaded ones could not be found from where we were: start over.
    setListPending(null);
    requestList();
    return;
  }
  if (state.listPending && LIST_FIELDS.indexOf(f.field) >= 0) {
    // The view asked for something the server does not know (a label deleted meanwhile):
    // fall back to the widest view and say so.
    setListPending(null);
    changeFilter("label", null);
    saveFilters();
    emit("filters");
    emit("toast", { text: text, kind: "error" });
    requestView();
    return;
  }
  if (f.code === "not_found" && state.openNumber !== null && !thread(state.openNumber).loaded) {
    emit("not_found");
    return;
  }
  if (state.openNumber !== null) emit("inline_error", text);
  else emit("toast", { text: text, kind: "error" });
}
