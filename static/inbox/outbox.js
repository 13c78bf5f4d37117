/*
 * Outgoing actions: messages and their acks, notes, reads, status, assignment, labels, list
 * pages. What the page should redraw is said through hooks.js.
 */
import { emit } from "./hooks.js";
import { ACK_TIMEOUT_MS, t } from "./page.js";
import { send } from "./socket.js";
import { addNote, addPending, forgetViews, latestVisitorId, nextListRequest, readSent, setListPending, setPendingBulk, setPendingStatus, startResume, state, takeNote, thread, viewFilters } from "./store.js";

let countsTimer = null;
let countsAgain = false; // counts were asked for while the last ask's second ran
const ackTimers = new Map(); // client_id -> the timer that gives up waiting for its ack

/** Wait for a reply's or a note's ack; `late()` when none came in time. */
function awaitAck(cid, late) {
  clearTimeout(ackTimers.get(cid));
  ackTimers.set(cid, setTimeout(function () {
    ackTimers.delete(cid);
    late();
  }, ACK_TIMEOUT_MS));
}

/** The ack came, or the wait is over for another reason. */
export function stopAwaitingAck(cid) {
  clearTimeout(ackTimers.get(cid));
  ackTimers.delete(cid);
}

/** Ask the server for the tabs' counts again: at once, and then at most once a second (asks
 * meanwhile go out together when the second is over, so the last ask follows the last
 * change). */
export function refreshCounts() {
  if (countsTimer) {
    countsAgain = true;
    return;
  }
  if (state.connected) send({ type: "counts", filters: viewFilters() });
  countsTimer = setTimeout(function () {
    countsTimer = null;
    if (countsAgain) {
      countsAgain = false;
      refreshCounts();
    }
  }, 1000);
}

/** The next page of this view, when there is one and none is on its way. */
export function loadMore() {
  if (!state.listMore || state.listPending || !state.connected || !state.listCursor) return;
  requestList(state.listCursor);
}

export function subscribe(number) {
  const th = thread(number);
  startResume(th);
  send({ type: "subscribe", conversation: number, after_id: th.maxId });
}

export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
}

export function sendMessage(number, body) {
  const th = thread(number);
  const p = { client_id: newClientId(), body: body, status: "sending", error: null, created_at: new Date().toISOString() };
  addPending(th, p);
  transmit(number, p);
  emit("messages", { mine: true });
}

export function transmit(number, p) {
  setPendingStatus(p, "sending");
  const ok = state.connected && send({ type: "message", conversation: number, client_id: p.client_id, body: p.body });
  if (!ok) {
    setPendingStatus(p, "queued");
    return;
  }
  // No ack in time: offer a retry (same client_id, so the server stores it at most once).
  awaitAck(p.client_id, function () {
    const th = state.threads.get(number);
    if (!th || th.pending.get(p.client_id) !== p || p.status !== "sending") return;
    setPendingStatus(p, "failed", t("error_no_ack"));
    if (number === state.openNumber) emit("messages");
  });
}

/** The failed reply's "Retry": the same client_id again. */
export function retryMessage(th, cid) {
  const p = th.pending.get(cid);
  if (!p) return;
  transmit(th.number, p);
  emit("messages");
}

/**
 * A private note. Unlike replies, notes are not queued while offline (the server does not
 * deduplicate them): they are refused at once and their text goes back to the composer.
 */
export function sendNote(number, body) {
  const th = thread(number);
  const p = { client_id: newClientId(), body: body, status: "sending", error: null, created_at: new Date().toISOString(), id: null };
  if (!state.connected || !send({ type: "note", conversation: number, body: body, client_id: p.client_id })) {
    return false;
  }
  addNote(th, p);
  awaitAck(p.client_id, function () {
    if (th.notes.get(p.client_id) !== p || p.status !== "sending") return;
    setPendingStatus(p, "failed", t("error_no_ack"));
    if (number === state.openNumber) emit("messages");
  });
  emit("messages", { mine: true });
  return true;
}

/** The server refused a note (or the socket dropped before it said): the card goes, and its
 * text goes back to the composer. */
export function refuseNote(th, cid, text) {
  stopAwaitingAck(cid);
  const p = takeNote(th, cid);
  if (!p) return;
  emit("note_refused", { number: th.number, body: p.body, text: text });
}

export function failPendingNotes(text) {
  state.threads.forEach(function (th) {
    th.notes.forEach(function (p, cid) {
      if (p.status === "sending") refuseNote(th, cid, text);
    });
  });
}

/** The socket dropped: replies wait to be sent again, unconfirmed notes go back to the
 * composer, a bulk action in flight fails. */
export function connectionLost() {
  markPendingQueued();
  failPendingNotes(t("note_unconfirmed"));
  if (state.pendingBulk) {
    setPendingBulk(null);
    emit("bulk_failed", t("error_offline"));
  }
}

export function resendPending() {
  state.threads.forEach(function (th) {
    th.pending.forEach(function (p) {
      if (p.status === "failed") return;
      transmit(th.number, p);
    });
  });
  if (state.openNumber !== null) emit("messages");
}

export function markPendingQueued() {
  let changed = false;
  state.threads.forEach(function (th) {
    th.pending.forEach(function (p) {
      if (p.status === "sending") { setPendingStatus(p, "queued"); changed = true; }
    });
  });
  if (changed && state.openNumber !== null) emit("messages");
  emit("composer");
}

export function maybeSendRead() {
  if (state.openNumber === null || document.visibilityState !== "visible") return;
  const th = thread(state.openNumber);
  const upTo = latestVisitorId(th);
  if (!upTo || upTo <= th.lastReadSent) return;
  if (send({ type: "read", conversation: th.number, up_to: upTo }) && readSent(th, upTo)) {
    emit("list");
    emit("title");
  }
}

export function setStatus(number, status, until) {
  if (number === null || number === undefined) return false;
  const frame = { type: "status", conversation: number, status: status };
  if (until) frame.until = until.toISOString();
  return send(frame);
}

export function assign(number, fields) {
  if (number === null || number === undefined) return false;
  return send(Object.assign({ type: "assign", conversation: number }, fields));
}

export function changeLabels(number, add, remove) {
  if (number === null || number === undefined) return false;
  return send({ type: "label", conversation: number, add: add || [], remove: remove || [] });
}

/** The operator chose another view (filters or sort): nothing shows in it but what the
 * server answers. */
export function requestView() {
  forgetViews();
  requestList();
}

/** Ask for the first page of the view, or with `cursor`, the page after the loaded ones. */
export function requestList(cursor) {
  const id = nextListRequest(!cursor);
  const frame = { type: "list", request: id, filters: viewFilters(), sort: state.sort };
  if (cursor) frame.cursor = cursor;
  if (!send(frame)) setListPending(null);
  emit("more");
}
