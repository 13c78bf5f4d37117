/* Labels: their chips, the conversation's label menu, "New label…". */
import { clear, el, safeColor, str } from "./dom.js";
import { changeLabels } from "./outbox.js";
import { LABEL_COLORS, t } from "./page.js";
import { closePopover, menuList, placePopover, togglePopover } from "./popover.js";
import { send } from "./socket.js";
import { setPendingLabelCreate, state } from "./store.js";

export function labelChip(id, removable) {
  const label = state.labelsById.get(id);
  const name = label ? str(label.name) : t("unknown_label");
  const chip = el("span", { className: "chip", dataset: { label: id } },
    el("span", { className: "chip-dot", "aria-hidden": "true" }),
    el("span", { className: "chip-name" }, name));
  chip.style.setProperty("--label", safeColor(label && label.color));
  if (removable) {
    chip.appendChild(el("button", {
      type: "button", className: "chip-remove", "aria-label": t("label_remove", { name: name }), title: t("label_remove", { name: name }),
      onclick: function () { changeLabels(state.openNumber, [], [id]); },
    }, "\u00d7"));
  }
  return chip;
}

/** Text folded for matching as one types: case, Turkish dotted/dotless i and accents aside
 * ("i", "I", "ı" and "İ" all match one another; "cicek" matches "Çiçek"). */
export function foldForMatch(text) {
  return str(text).normalize("NFD").replace(/\p{M}/gu, "").replace(/[ıİI]/g, "i").toLowerCase();
}

export function openLabelMenu(anchor) {
  const number = state.openNumber;
  const c = state.conversations.get(number);
  if (!c) return;
  togglePopover(anchor, function (box) {
    const applied = Array.isArray(c.labels) ? c.labels : [];
    const available = state.labels.filter(function (l) { return applied.indexOf(l.id) < 0; });
    const filter = el("input", {
      type: "search", className: "menu-filter", id: "inbox-label-filter", autocomplete: "off",
      placeholder: t("labels_filter"), "aria-label": t("labels_filter"),
    });
    let list = null;
    let matches = available;
    function newLabel(name) {
      showNewLabelForm(box, function (label) { changeLabels(number, [label.id], []); }, name);
    }
    function render() {
      const q = foldForMatch(filter.value.trim());
      matches = q ? available.filter(function (l) { return foldForMatch(l.name).indexOf(q) >= 0; }) : available;
      const items = matches.map(function (l) {
        return {
          label: str(l.name), icon: swatch(l.color),
          onSelect: function () { changeLabels(number, [l.id], []); },
        };
      });
      if (!items.length) {
        items.push({ note: q ? t("labels_no_match") : state.labels.length ? t("labels_all_applied") : t("labels_none") });
      }
      items.push({ separator: true });
      items.push({
        label: t("label_new"), keepOpen: true,
        onSelect: function () { newLabel(filter.value.replace(/\s+/g, " ").trim()); },
      });
      const next = menuList(t("labels_add"), items);
      if (list) box.replaceChild(next, list);
      else box.appendChild(next);
      list = next;
    }
    filter.addEventListener("input", function () {
      render();
      placePopover();
    });
    filter.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        const value = filter.value.replace(/\s+/g, " ").trim();
        if (matches.length && (value || matches.length === 1)) {
          const first = matches[0];
          closePopover(true);
          changeLabels(number, [first.id], []);
        } else if (value) {
          newLabel(value);
        }
      } else if (e.key === "ArrowDown") {
        const first = list && list.querySelector('[role^="menuitem"]:not([disabled])');
        if (first) {
          e.preventDefault();
          first.focus();
        }
      }
    });
    if (available.length) box.appendChild(filter);
    render();
  });
}

export function swatch(color) {
  const s = el("span", { className: "chip-dot", "aria-hidden": "true" });
  s.style.setProperty("--label", safeColor(color));
  return s;
}

/** "New label…": name (what was typed in the filter, if anything) and colour; label_create, then (frames.js, on `label_created`) the
 * form closes and `then(label)` applies it. */
export function showNewLabelForm(box, then, initialName) {
  clear(box);
  const name = el("input", { type: "text", id: "inbox-new-label-name", maxlength: "40", required: true, autocomplete: "off" });
  if (initialName) name.value = initialName.slice(0, 40);
  const color = el("input", { type: "color", id: "inbox-new-label-color", value: LABEL_COLORS[state.labels.length % LABEL_COLORS.length] });
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const submit = el("button", { type: "submit", className: "small" }, t("label_create"));
  const form = el("form", { className: "popover-form", novalidate: true },
    el("h3", { className: "popover-title" }, t("label_new_title")),
    el("label", { for: "inbox-new-label-name" }, t("label_name")), name,
    el("label", { for: "inbox-new-label-color" }, t("label_color")), color,
    error,
    el("div", { className: "popover-actions" }, submit,
      el("button", { type: "button", className: "small secondary", onclick: function () { closePopover(true); } }, t("cancel"))));
  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    submit.disabled = false;
    name.focus();
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    const value = name.value.replace(/\s+/g, " ").trim();
    if (!value) {
      fail(t("label_name_needed"));
      return;
    }
    error.hidden = true;
    if (!send({ type: "label_create", name: value, color: color.value })) {
      fail(t("error_offline"));
      return;
    }
    submit.disabled = true;
    setPendingLabelCreate({
      name: value, color: color.value, fail: fail,
      then: function (label) {
        closePopover(true);
        then(label);
      },
    });
  });
  box.appendChild(form);
  name.focus();
  placePopover();
}
