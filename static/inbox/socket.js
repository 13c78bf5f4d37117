/*
 * The operator socket (docs/widget-protocol.md, "Operator socket"): connecting, reconnecting
 * with backoff, the heartbeat, sending. Frames go to the handler given to onFrame (frames.js,
 * wired by inbox.js); a dropped socket and the banner's changes are events (hooks.js).
 */
import { emit } from "./hooks.js";
import { BACKOFF_MAX_MS, BACKOFF_MIN_MS, PING_MS, t, WS_PATH } from "./page.js";
import { setConnected, setListPending, setStopped, state } from "./store.js";

let ws = null;
let attempt = 0; // reconnects since the last `ready`
let reconnectTimer = null;
let pingTimer = null;
let missedPongs = 0;
// The session ended under an open socket (4401 after a `ready`): reconnecting after the usual
// backoff, with the browser's cookie as it is by then, tells a new session (a password changed
// in another tab of this browser, whose answer brings the new cookie) from a signed-out one.
const SESSION_RETRIES = 2;
let sessionRetries = 0;
let handleFrame = function () {};

/** Where incoming frames go. */
export function onFrame(fn) {
  handleFrame = fn;
}

/** Reconnect now rather than after the backoff (the banner's "Retry", the browser online). */
export function retryNow() {
  attempt = 0;
  reconnectNow();
}

export function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  return scheme + location.host + WS_PATH;
}

export function connect() {
  if (state.stopped) return;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  let socket;
  try {
    socket = new WebSocket(socketUrl());
  } catch (e) {
    scheduleReconnect();
    return;
  }
  ws = socket;
  socket.addEventListener("open", function () {
    if (ws !== socket) return;
    missedPongs = 0;
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_MS);
  });
  socket.addEventListener("message", function (event) {
    if (ws !== socket) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    // A `ready` means the connection works (backoff and heartbeat start afresh); a `pong`,
    // that the socket is alive.
    if (frame.type === "ready") { attempt = 0; sessionRetries = 0; }
    if (frame.type === "ready" || frame.type === "pong") missedPongs = 0;
    handleFrame(frame);
  });
  socket.addEventListener("close", function (event) {
    if (ws !== socket) return;
    onSocketGone(event.code);
  });
}

export function ping() {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (missedPongs >= 2) {
    // Two pings without a pong: the socket is dead even if the browser has not noticed.
    const dead = ws;
    onSocketGone(null);
    try { dead.close(); } catch (e) { /* already closing */ }
    return;
  }
  missedPongs += 1;
  send({ type: "ping" });
}

export function onSocketGone(code) {
  ws = null;
  clearInterval(pingTimer);
  setConnected(false);
  setListPending(null);
  emit("down");
  if (code === 4401) {
    if (state.readyOnce && sessionRetries < SESSION_RETRIES) {
      sessionRetries += 1;
      scheduleReconnect();
      return;
    }
    stop(t("signed_out"));
    return;
  }
  if (code === 4403) {
    stop(state.revokedMessage || t("access_revoked"));
    return;
  }
  if (state.stopped) return;
  scheduleReconnect();
}

export function scheduleReconnect() {
  if (state.stopped || reconnectTimer) return;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
  let delay = Math.round(base * (0.75 + Math.random() * 0.5));
  delay = Math.max(BACKOFF_MIN_MS / 2, Math.min(BACKOFF_MAX_MS * 1.25, delay));
  attempt += 1;
  emit("banner", { kind: "reconnecting", text: t("reconnecting") });
  reconnectTimer = setTimeout(function () {
    reconnectTimer = null;
    connect();
  }, delay);
}

export function reconnectNow() {
  if (state.stopped || ws) return;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  connect();
}

export function stop(message) {
  setStopped();
  clearTimeout(reconnectTimer);
  clearInterval(pingTimer);
  if (ws) {
    const s = ws;
    ws = null;
    try { s.close(); } catch (e) { /* ignore */ }
  }
  emit("banner", { kind: "stopped", text: message });
  emit("composer");
}

export function send(frame) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(JSON.stringify(frame));
    return true;
  } catch (e) {
    return false;
  }
}
