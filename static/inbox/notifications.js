/* Alerts, sound, desktop notifications and their preferences. */
import { $, clear, el, isId, str } from "./dom.js";
import { emit } from "./hooks.js";
import { toast } from "./notices.js";
import { NOTIFY_DEDUPE_MS, STORAGE_NOTIFY, t } from "./page.js";
import { closePopover, openPopover, popoverBox, popoverOpen, togglePopover } from "./popover.js";
import { send } from "./socket.js";
import { markNotified, memberName, setMyPref, state } from "./store.js";
import { ui } from "./ui.js";

export function onAlert(f) {
  const number = f.conversation;
  if (typeof number !== "number") return;
  const by = isId(f.by) ? memberName(f.by) : "";
  let text, kind;
  if (f.kind === "mention") {
    kind = "mention";
    text = by ? t("alert_mention", { name: by, number: number }) : t("alert_mention_anon", { number: number });
  } else if (f.kind === "assigned") {
    kind = "mine";
    text = by ? t("alert_assigned", { name: by, number: number }) : t("alert_assigned_auto", { number: number });
  } else if (f.kind === "snooze_ended") {
    kind = "mine";
    text = t("alert_snooze_ended", { number: number });
  } else {
    return;
  }
  const preview = str(f.preview);
  toast(text, { detail: preview, number: number, kind: f.kind === "mention" ? "mention" : null });
  notify(kind, text, preview, number);
}

let audioCtx = null;

export function notificationsWanted() {
  try {
    return localStorage.getItem(STORAGE_NOTIFY) === "on";
  } catch (e) {
    return false;
  }
}

export function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  if (!audioCtx) {
    try { audioCtx = new Ctx(); } catch (e) { audioCtx = null; return; }
  }
  if (audioCtx.state === "suspended") audioCtx.resume().catch(function () {});
}

export function beep() {
  if (!audioCtx || audioCtx.state !== "running") return;
  const now = audioCtx.currentTime;
  [0, 0.18].forEach(function (offset, i) {
    const osc = audioCtx.createOscillator();
    const gain = audioCtx.createGain();
    osc.type = "sine";
    osc.frequency.value = i === 0 ? 880 : 1175;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.15);
    osc.connect(gain).connect(audioCtx.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.16);
  });
}

export function prefFor(kind) {
  const all = state.me && state.me.notify && typeof state.me.notify === "object" ? state.me.notify : {};
  const p = all[kind] && typeof all[kind] === "object" ? all[kind] : {};
  return { desktop: p.desktop !== false, sound: p.sound !== false };
}

/**
 * Sound and desktop notification for `kind` (new_conversation | mine | mention), as this
 * operator chose, once notifications are on in this browser. One per conversation per few
 * seconds (a new chat that is also assigned to me beeps once).
 */
export function notify(kind, title, body, number) {
  if (!notificationsWanted()) return;
  const last = state.notified.get(number);
  if (last && Date.now() - last < NOTIFY_DEDUPE_MS) return;
  const pref = prefFor(kind);
  if (!pref.sound && !pref.desktop) return;
  markNotified(number);
  if (pref.sound) beep();
  if (!pref.desktop || !("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body: body, tag: "sohbet-" + kind + "-" + number });
    n.onclick = function () {
      window.focus();
      emit("navigate", { number: number, push: true, focus: true });
      n.close();
    };
  } catch (e) { /* some browsers only allow notifications from a service worker */ }
}

export function renderNotifyButton() {
  const wanted = notificationsWanted();
  const supported = "Notification" in window;
  const denied = supported && Notification.permission === "denied";
  ui.notifyBtn.setAttribute("aria-pressed", String(wanted && !denied));
  ui.notifyBtn.textContent = denied ? t("notifications_blocked") : wanted ? t("notifications_on") : t("notifications_enable");
  ui.notifyBtn.title = wanted ? t("notifications_settings") : "";
}

export function setNotificationsWanted(on) {
  try { localStorage.setItem(STORAGE_NOTIFY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  renderNotifyButton();
  renderPrefsPopover();
}

export function askPermission() {
  if ("Notification" in window && Notification.permission === "default") {
    Promise.resolve(Notification.requestPermission()).then(function () {
      renderNotifyButton();
      renderPrefsPopover();
    }, renderNotifyButton);
  }
}

/** The notifications button: the first click turns them on; then it opens the preferences. */
export function onNotifyButton() {
  if (!notificationsWanted()) {
    unlockAudio();
    setNotificationsWanted(true);
    askPermission();
    if (!popoverOpen(ui.notifyBtn)) openPrefsPopover();
    return;
  }
  togglePopover(ui.notifyBtn, buildPrefs, { role: "dialog", label: t("prefs_title"), className: "popover-prefs" });
}

export function openPrefsPopover() {
  openPopover(ui.notifyBtn, buildPrefs, { role: "dialog", label: t("prefs_title"), className: "popover-prefs" });
}

export function renderPrefsPopover() {
  if (!popoverOpen(ui.notifyBtn)) return;
  const box = popoverBox();
  const focusedId = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
  clear(box);
  buildPrefs(box);
  if (focusedId && $(focusedId)) $(focusedId).focus();
}

export function buildPrefs(box) {
  const wanted = notificationsWanted();
  const supported = "Notification" in window;
  const permission = supported ? Notification.permission : "unsupported";
  box.appendChild(el("h3", { className: "popover-title" }, t("prefs_title")));
  if (!wanted) {
    box.appendChild(el("p", { className: "muted small-text" }, t("prefs_off_here")));
  } else if (permission === "default") {
    box.appendChild(el("p", { className: "small-text" }, t("prefs_permission_needed"), " ",
      el("button", { type: "button", className: "small link", id: "inbox-prefs-allow", onclick: askPermission }, t("prefs_allow"))));
  } else if (permission === "denied") {
    box.appendChild(el("p", { className: "small-text warning-text" }, t("notifications_blocked")));
  } else if (permission === "unsupported") {
    box.appendChild(el("p", { className: "small-text muted" }, t("prefs_unsupported")));
  }
  const kinds = [
    ["new_conversation", t("prefs_new_conversation")],
    ["mine", t("prefs_mine")],
    ["mention", t("prefs_mention")],
  ];
  const table = el("table", { className: "prefs-table" },
    el("thead", null, el("tr", null,
      el("th", { scope: "col" }, el("span", { className: "visually-hidden" }, t("prefs_event"))),
      el("th", { scope: "col" }, t("prefs_desktop")),
      el("th", { scope: "col" }, t("prefs_sound")))));
  const tbody = el("tbody");
  kinds.forEach(function (k) {
    const pref = prefFor(k[0]);
    const tr = el("tr", null, el("th", { scope: "row" }, k[1]));
    ["desktop", "sound"].forEach(function (channel) {
      const box2 = el("input", {
        type: "checkbox", id: "inbox-pref-" + k[0] + "-" + channel,
        "aria-label": (channel === "desktop" ? t("prefs_desktop") : t("prefs_sound")) + ": " + k[1],
        disabled: !state.connected || null,
      });
      box2.checked = pref[channel];
      box2.addEventListener("change", function () {
        const change = {};
        change[k[0]] = {};
        change[k[0]][channel] = box2.checked;
        if (send({ type: "prefs", notify: change })) {
          setMyPref(k[0], channel, box2.checked, prefFor(k[0]));
        } else {
          box2.checked = !box2.checked;
        }
      });
      tr.appendChild(el("td", null, box2));
    });
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  box.appendChild(table);
  box.appendChild(el("p", { className: "help small-text" }, t("prefs_help")));
  box.appendChild(el("div", { className: "popover-actions" },
    el("button", {
      type: "button", className: "small secondary", id: "inbox-prefs-toggle",
      onclick: function () {
        if (!notificationsWanted()) {
          unlockAudio();
          askPermission();
        }
        setNotificationsWanted(!notificationsWanted());
      },
    }, wanted ? t("notifications_turn_off_here") : t("notifications_turn_on_here")),
    el("button", { type: "button", className: "small", onclick: function () { closePopover(true); } }, t("close"))));
}
