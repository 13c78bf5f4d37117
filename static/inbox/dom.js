import { LANG } from "./page.js";

export function $(id) {
  return document.getElementById(id);
}

/** el("span", {className: "x", title: "…"}, "text", childNode, …) — strings become text nodes. */
export function el(tag, props) {
  const node = document.createElement(tag);
  if (props) {
    Object.keys(props).forEach(function (k) {
      const v = props[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "className") node.className = v;
      else if (k === "text") node.textContent = String(v);
      else if (k === "dataset") Object.keys(v).forEach(function (d) { node.dataset[d] = String(v[d]); });
      else if (k.indexOf("on") === 0 && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
  }
  for (let i = 2; i < arguments.length; i++) append(node, arguments[i]);
  return node;
}

export function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    child.forEach(function (c) { append(node, c); });
  } else if (typeof child === "string" || typeof child === "number") {
    node.appendChild(document.createTextNode(String(child)));
  } else {
    node.appendChild(child);
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** http(s) URL -> its normalised href; anything else (javascript:, data:, junk) -> null. */
export function safeHttpUrl(value) {
  if (typeof value !== "string" || !value) return null;
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:") return u.href;
  } catch (e) { /* not a URL */ }
  return null;
}

/** "www.google.com" for "https://www.google.com/search?q=…"; "" when it is no http(s) URL. */
export function hostOf(url) {
  const href = safeHttpUrl(url);
  return href ? new URL(href).host : "";
}

/** A link to an external (visitor-supplied) URL, or plain text when it is not http(s). */
export function externalLink(url, label) {
  const href = safeHttpUrl(url);
  const text = label || url || "";
  if (!href) return el("span", { className: "plain-url" }, String(text));
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.textContent = String(text);
  return a;
}

// Plain text with http(s) URLs turned into links, as the chat window shows them (the same
// rule as static/widget/chat.js): trailing punctuation belongs to the sentence, except a ")"
// that closes a "(" inside the URL. Text nodes and anchor elements only.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** A <p>-like node filled with `text`, its http(s) URLs as links opening in a new tab. */
export function appendLinkified(node, text) {
  const s = str(text);
  let last = 0;
  let m;
  URL_RE.lastIndex = 0;
  while ((m = URL_RE.exec(s)) !== null) {
    let url = m[0];
    while (/[.,;:!?'")\]}]$/.test(url)) {
      if (url.endsWith(")") && url.split("(").length >= url.split(")").length) break;
      url = url.slice(0, -1);
    }
    if (!safeHttpUrl(url)) continue;
    if (m.index > last) node.appendChild(document.createTextNode(s.slice(last, m.index)));
    node.appendChild(externalLink(url, url));
    last = m.index + url.length;
  }
  if (last < s.length) node.appendChild(document.createTextNode(s.slice(last)));
  return node;
}

export function str(v) {
  return v === null || v === undefined ? "" : String(v);
}

/** A label colour from the server, or grey when it is not a plain #rrggbb. */
export function safeColor(value) {
  return typeof value === "string" && /^#[0-9a-fA-F]{6}$/.test(value) ? value : "#6b7280";
}

export function initials(name) {
  const words = str(name).trim().split(/\s+/).filter(Boolean).slice(0, 2);
  const out = words.map(function (w) { return Array.from(w)[0] || ""; }).join("");
  return out ? out.toLocaleUpperCase(LANG) : "?";
}

export function isId(v) {
  return typeof v === "number" && isFinite(v);
}

export function avatar(name, extraClass) {
  return el("span", { className: "avatar" + (extraClass ? " " + extraClass : ""), "aria-hidden": "true" }, initials(name));
}

export function onlineDot(member) {
  return el("span", { className: "dot " + (member.online ? "dot-online" : "dot-offline"), "aria-hidden": "true" });
}
