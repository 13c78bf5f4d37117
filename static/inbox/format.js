import { str } from "./dom.js";
import { has, LANG, STRINGS, t } from "./page.js";

export function parseTime(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return isNaN(d.getTime()) ? null : d;
}

export function fmt(date, options) {
  try {
    return new Intl.DateTimeFormat(LANG, options).format(date);
  } catch (e) {
    return date.toISOString();
  }
}

export function clockTime(date) {
  return fmt(date, { hour: "2-digit", minute: "2-digit" });
}

export function fullTime(date) {
  return fmt(date, { dateStyle: "medium", timeStyle: "short" });
}

/** Short "when" for list items: time of day today, else a short date. */
export function shortWhen(date) {
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return clockTime(date);
  return fmt(date, { day: "numeric", month: "short" });
}

/** "Fri 09:00" within the coming week, else "12 Mar, 09:00" (snooze times). */
export function snoozeWhen(value) {
  const date = value instanceof Date ? value : parseTime(value);
  if (!date) return "";
  const days = (date.getTime() - Date.now()) / 86400000;
  if (days > -1 && days < 6) return fmt(date, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  return fmt(date, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function duration(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60000);
  if (minutes < 1) return t("duration_under_minute");
  if (minutes < 60) return t("duration_minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("duration_hours", { count: hours });
  return t("duration_days", { count: Math.floor(hours / 24) });
}

export function localTimeIn(timezone) {
  if (!timezone) return "";
  try {
    return new Intl.DateTimeFormat(LANG, {
      hour: "2-digit", minute: "2-digit", weekday: "short", timeZone: timezone,
    }).format(new Date());
  } catch (e) {
    return "";
  }
}

/** A Date as the value of an <input type="datetime-local"> (local time, minutes). */
export function localInputValue(date) {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
    "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
}

export function time(v) {
  const d = parseTime(v);
  return d ? d.getTime() : 0;
}

/** A row's visitor: their name, or "Visitor 1a2b3c" (the start of their id) in this
 * page's language; rows carry no label of their own (payloads.summary). */
export function visitorName(c) {
  const v = c && c.visitor;
  if (str(v && v.name)) return str(v.name);
  return v && v.id ? t("visitor_short", { short: str(v.id).slice(0, 6) }) : t("visitor");
}

export function statusLabel(status) {
  const key = "status_" + status;
  return has(STRINGS, key) ? t(key) : str(status);
}

/** "Snoozed until Fri 09:00" for a snoozed conversation, else the status's name. */
export function statusText(c) {
  if (c && c.status === "snoozed" && c.snoozed_until) return t("snoozed_until", { when: snoozeWhen(c.snoozed_until) });
  return statusLabel(c ? c.status : "");
}

export function statusClass(status) {
  return "status status-" + str(status).replace(/[^a-z_-]/gi, "");
}

export function conversationWhen(c) {
  // Pending and snoozed conversations wait on the visitor or a time, not on us.
  const waiting = c.status === "open" ? parseTime(c.waiting_since) : null;
  if (waiting) return { waiting: true, text: t("waiting", { duration: duration(Date.now() - waiting.getTime()) }) };
  const last = parseTime(c.last_activity_at) || parseTime(c.created_at);
  return { waiting: false, text: last ? shortWhen(last) : "" };
}
