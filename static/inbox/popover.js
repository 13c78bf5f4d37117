import { el } from "./dom.js";
import { ui } from "./ui.js";

let popover = null; // {box, anchor}

/** Whether a popover is open; with `anchor`, whether the open one was opened from it. */
export function popoverOpen(anchor) {
  return !!popover && (anchor === undefined || popover.anchor === anchor);
}

/** The open popover's box, or null. */
export function popoverBox() {
  return popover ? popover.box : null;
}

/** Whether `node` is inside the open popover or its anchor. */
export function popoverHas(node) {
  return !!popover && (popover.box.contains(node) || (!!popover.anchor && popover.anchor.contains(node)));
}

/** Close the open popover when its anchor has left the page (a header re-rendered). */
export function closeOrphanPopover() {
  if (popover && popover.anchor && !popover.anchor.isConnected) closePopover(false);
}

/** Open a popover under `anchor`, filled by build(box). One at a time. */
export function openPopover(anchor, build, opts) {
  closePopover(false);
  opts = opts || {};
  const box = el("div", {
    className: "popover" + (opts.className ? " " + opts.className : ""),
    id: "inbox-popover",
    role: opts.role || null,
    "aria-label": opts.label || null,
  });
  popover = { box: box, anchor: anchor || null };
  build(box);
  ui.root.appendChild(box);
  if (anchor) anchor.setAttribute("aria-expanded", "true");
  placePopover();
  box.addEventListener("keydown", popoverKeys);
  box.addEventListener("focusout", function (e) {
    if (popover && popover.box === box && e.relatedTarget && !box.contains(e.relatedTarget) &&
        !(popover.anchor && popover.anchor.contains(e.relatedTarget))) {
      closePopover(false);
    }
  });
  const first = box.querySelector('[role^="menuitem"][aria-checked="true"]:not([disabled])') ||
    box.querySelector('[role^="menuitem"]:not([disabled]), input, select, textarea, button:not([disabled])');
  if (first) first.focus();
  return box;
}

export function placePopover() {
  if (!popover) return;
  const box = popover.box;
  const a = popover.anchor;
  const r = a && a.isConnected && a.offsetParent !== null ? a.getBoundingClientRect() : null;
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  box.style.maxHeight = Math.max(160, vh - 16) + "px";
  const w = box.offsetWidth, h = box.offsetHeight;
  let left, top;
  if (!r) {
    left = (vw - w) / 2;
    top = Math.max(8, (vh - h) / 3);
  } else {
    left = r.left;
    top = r.bottom + 4;
    if (top + h > vh - 8) top = r.top - h - 4 >= 8 ? r.top - h - 4 : Math.max(8, vh - h - 8);
  }
  left = Math.min(Math.max(8, left), Math.max(8, vw - w - 8));
  box.style.left = Math.round(left) + "px";
  box.style.top = Math.round(top) + "px";
}

export function closePopover(returnFocus) {
  if (!popover) return;
  const p = popover;
  popover = null;
  if (p.box.parentNode) p.box.parentNode.removeChild(p.box);
  if (p.anchor) {
    p.anchor.setAttribute("aria-expanded", "false");
    if (returnFocus && p.anchor.isConnected && p.anchor.offsetParent !== null) p.anchor.focus();
  }
}

export function togglePopover(anchor, build, opts) {
  if (popover && popover.anchor === anchor) {
    closePopover(true);
    return null;
  }
  return openPopover(anchor, build, opts);
}

export function popoverKeys(e) {
  if (e.key === "Escape") {
    e.preventDefault();
    e.stopPropagation();
    closePopover(true);
    return;
  }
  const items = Array.from(popover ? popover.box.querySelectorAll('[role^="menuitem"]:not([disabled])') : []);
  const i = items.indexOf(document.activeElement);
  if (i < 0) return;
  let next = null;
  if (e.key === "ArrowDown") next = items[(i + 1) % items.length];
  else if (e.key === "ArrowUp") next = items[(i - 1 + items.length) % items.length];
  else if (e.key === "Home") next = items[0];
  else if (e.key === "End") next = items[items.length - 1];
  if (next) {
    e.preventDefault();
    next.focus();
  }
}

/**
 * A list of menu items: {label, onSelect, checked?, icon?, hint?, hiddenHint?, keepOpen?,
 * disabled?} or {separator: true} or {note: "text"} (a line that is not an item).
 */
export function menuList(label, items) {
  const list = el("div", { role: "menu", "aria-label": label, className: "menu-list" });
  items.forEach(function (it) {
    if (it.separator) {
      list.appendChild(el("div", { role: "separator", className: "menu-sep" }));
      return;
    }
    if (it.note) {
      list.appendChild(el("p", { className: "menu-note muted" }, it.note));
      return;
    }
    const radio = it.checked !== undefined;
    const b = el("button", {
      type: "button",
      role: radio ? "menuitemradio" : "menuitem",
      "aria-checked": radio ? String(!!it.checked) : null,
      tabindex: "-1",
      className: "menu-item" + (it.checked ? " is-checked" : ""),
      disabled: it.disabled || null,
    },
      el("span", { className: "menu-check", "aria-hidden": "true" }, radio && it.checked ? "\u2713" : ""),
      it.icon || null,
      el("span", { className: "menu-label" }, it.label,
        it.hiddenHint ? el("span", { className: "visually-hidden" }, " (" + it.hiddenHint + ")") : null),
      it.hint ? el("span", { className: "menu-hint" }, it.hint) : null
    );
    b.addEventListener("click", function () {
      if (!it.keepOpen) closePopover(true);
      it.onSelect(b);
    });
    list.appendChild(b);
  });
  return list;
}
