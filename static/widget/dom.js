/* Small helpers of the chat window: elements, text with links, storage that never throws,
 * dates and durations in the visitor's language. No state; nothing here talks to the server.
 */

export const $ = (id) => document.getElementById(id);

export const readJSON = (id) => {
  try { return JSON.parse($(id).textContent) || {}; } catch (e) { return {}; }
};

const LANG = document.documentElement.lang || undefined;

// Storage that never throws (blocked storage in third-party frames, private modes).
const store = (kind) => ({
  get(k) { try { return JSON.parse(window[kind].getItem(k)); } catch (e) { return null; } },
  set(k, v) { try { window[kind].setItem(k, JSON.stringify(v)); } catch (e) { /* memory only */ } },
});
export const local = store('localStorage');
export const session = store('sessionStorage');

export const el = (tag, cls, parent, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
};
export const fmt = (s, vars) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));
export const chars = (s) => [...s].length; // code points, as the server counts them
export const uuid = () => (crypto.randomUUID ? crypto.randomUUID()
  : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join(''));

export const safeUrl = (u) => {
  try {
    const url = new URL(u, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (e) { return null; }
};

const initials = (name) => (name || '?').trim().split(/\s+/).slice(0, 2)
  .map((w) => [...w][0] || '').join('').toUpperCase() || '?';

export const avatar = (name, url, parent) => {
  const box = el('span', 'av', parent);
  box.setAttribute('aria-hidden', 'true');
  const src = url && safeUrl(url);
  if (src) el('img', '', box).src = src;
  else box.textContent = initials(name);
  return box;
};

// Plain text with http(s) URLs turned into links. Trailing punctuation belongs to the
// sentence, except a ")" that closes a "(" inside the URL (Wikipedia-style links).
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
export const fillText = (node, text) => {
  let last = 0;
  text.replace(URL_RE, (match, offset) => {
    let url = match;
    while (/[.,;:!?'")\]}]$/.test(url)) {
      if (url.endsWith(')') && url.split('(').length >= url.split(')').length) break;
      url = url.slice(0, -1);
    }
    const href = safeUrl(url);
    if (!href) return match;
    node.append(text.slice(last, offset));
    const a = el('a', '', node, url);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer nofollow';
    last = offset + url.length;
    return match;
  });
  node.append(text.slice(last));
};

// A message's time: the hour today, the day and hour before.
const timeFmt = new Intl.DateTimeFormat(LANG, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(LANG, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
export const when = (iso) => {
  const d = new Date(iso);
  if (isNaN(d)) return '';
  return (d.toDateString() === new Date().toDateString() ? timeFmt : dateTimeFmt).format(d);
};

// When the team is back: the weekday and hour, with the date when it is more than six days off.
export const whenText = (iso) => {
  const at = new Date(iso);
  if (isNaN(at.getTime())) return '';
  const week = at.getTime() - Date.now() > 6 * 24 * 3600 * 1000;
  try {
    return new Intl.DateTimeFormat(LANG, week
      ? { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }
      : { weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(at);
  } catch (e) { return at.toLocaleString(); }
};

// "5 minutes", "2 hours" in the visitor's language.
export const durationText = (minutes) => {
  const hours = minutes >= 90 ? Math.round(minutes / 60) : 0;
  try {
    return new Intl.NumberFormat(LANG, { style: 'unit', unit: hours ? 'hour' : 'minute', unitDisplay: 'long' })
      .format(hours || minutes);
  } catch (e) { return hours ? hours + ' h' : minutes + ' min'; }
};

// Brand colour, and black or white text on it, whichever contrasts more (WCAG relative
// luminance: past 0.1916 black text reads better than white; the loader decides the same way).
export const brand = (wanted) => {
  const color = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(wanted || '') ? wanted : '#2563eb';
  const hex = color.length === 4 ? color.replace(/\w/g, '$&$&') : color;
  const n = parseInt(hex.slice(1), 16);
  const lin = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const lum = 0.2126 * lin(n >> 16) + 0.7152 * lin(n >> 8 & 255) + 0.0722 * lin(n & 255);
  document.documentElement.style.setProperty('--c', color);
  document.documentElement.style.setProperty('--f', lum > 0.1916 ? '#111' : '#fff');
};
