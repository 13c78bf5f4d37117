export function readJSON(id, fallback) {
  const node = document.getElementById(id);
  if (!node) return fallback;
  try {
    return JSON.parse(node.textContent);
  } catch (e) {
    return fallback;
  }
}

export const STRINGS = readJSON("inbox-strings", {}) || {};

export const CONFIG = readJSON("inbox-config", {}) || {};

export const SLUG = String(CONFIG.slug || "");

export const WS_PATH = String(CONFIG.ws_url_path || "/ws/inbox/" + encodeURIComponent(SLUG) + "/");

export const INITIAL_NUMBER = typeof CONFIG.open_number === "number" ? CONFIG.open_number : null;

export const INBOX_BASE = String(CONFIG.inbox_url || "/app/" + encodeURIComponent(SLUG) + "/inbox/");

/** The conversation number in the address (…/inbox/42/), or null. */
export function numberFromPath() {
  if (location.pathname.indexOf(INBOX_BASE) !== 0) return null;
  const rest = location.pathname.slice(INBOX_BASE.length).replace(/\/$/, "");
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

export const PING_MS = 25000;

export const TYPING_SEND_MS = 2000;

export const TYPING_IDLE_MS = 5000;

export const TYPING_SHOW_MS = 6000;

export const TICK_MS = 30000;

export const ACK_TIMEOUT_MS = 20000;

export const BACKOFF_MIN_MS = 1000;

export const BACKOFF_MAX_MS = 30000;

export const TOAST_MS = 8000;

export const NOTIFY_DEDUPE_MS = 10000;

export const STORAGE_NOTIFY = "sohbet.inbox.notifications";

export const STORAGE_FILTERS = "sohbet.inbox.filters." + SLUG;

export const ASSIGNEE_FILTERS = ["mine", "unassigned", "teams", "all"];

export const STATUS_FILTERS = ["open", "pending", "snoozed", "resolved"];

export const SORTS = ["activity", "waiting", "newest"];

export const NOTIFY_KINDS = ["new_conversation", "mine", "mention"];

export const LABEL_COLORS = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#4b5563"];

export function has(obj, key) {
  return !!obj && Object.prototype.hasOwnProperty.call(obj, key);
}

/** t(key, params) over a catalogue: the translated string with %(name)s placeholders
 * filled in (as text, never markup); the key itself when the catalogue lacks it. */
export function translator(strings) {
  return function (key, params) {
    let s = has(strings, key) ? String(strings[key]) : key;
    if (params) {
      s = s.replace(/%\((\w+)\)s/g, function (m, name) {
        return has(params, name) ? String(params[name]) : m;
      });
    }
    return s;
  };
}

export const t = translator(STRINGS);

export const LANG = document.documentElement.lang || undefined;
