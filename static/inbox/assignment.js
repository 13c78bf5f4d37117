/* Menus of the open conversation: assignee, team, snooze. */
import { el, isId, onlineDot, str } from "./dom.js";
import { localInputValue, snoozeWhen } from "./format.js";
import { assign, setStatus } from "./outbox.js";
import { t } from "./page.js";
import { closePopover, menuList, togglePopover } from "./popover.js";
import { myId, state } from "./store.js";

/** Members to assign to: "Unassigned" first, then everyone (online dot, "(you)"). */
export function memberItems(current, onPick, radio) {
  const me = myId();
  const items = [{
    label: t("unassigned"), checked: radio ? current === null || current === undefined : undefined,
    onSelect: function () { onPick(null); },
  }];
  state.members.forEach(function (m) {
    items.push({
      label: (str(m.name) || t("member_unnamed")) + (m.id === me ? " " + t("you_suffix") : ""),
      checked: radio ? current === m.id : undefined,
      icon: onlineDot(m),
      hiddenHint: m.online ? t("member_online") : t("member_offline"),
      onSelect: function () { onPick(m.id); },
    });
  });
  return items;
}

export function openAssigneeMenu(anchor) {
  const number = state.openNumber;
  const c = state.conversations.get(number);
  if (!c) return;
  togglePopover(anchor, function (box) {
    let items = [];
    if (c.assignee !== myId()) {
      items.push({ label: t("assign_to_me"), hint: "a", onSelect: function () { assign(number, { assignee: myId() }); } });
      items.push({ separator: true });
    }
    items = items.concat(memberItems(c.assignee, function (id) { assign(number, { assignee: id }); }, true));
    box.appendChild(menuList(t("assignee_label"), items));
  });
}

export function openTeamMenu(anchor) {
  const number = state.openNumber;
  const c = state.conversations.get(number);
  if (!c) return;
  togglePopover(anchor, function (box) {
    const items = [{ label: t("no_team"), checked: !isId(c.team), onSelect: function () { assign(number, { team: null }); } }];
    state.teams.forEach(function (team) {
      items.push({ label: str(team.name), checked: c.team === team.id, onSelect: function () { assign(number, { team: team.id }); } });
    });
    box.appendChild(menuList(t("team_label"), items));
  });
}

export function snoozeChoices() {
  const now = new Date();
  const inHour = new Date(now.getTime() + 3600000);
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0);
  const toMonday = ((8 - now.getDay()) % 7) || 7;
  const monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() + toMonday, 9, 0, 0, 0);
  return [[t("snooze_hour"), inHour], [t("snooze_tomorrow"), tomorrow], [t("snooze_monday"), monday]];
}

export function openSnoozeMenu(anchor) {
  const number = state.openNumber;
  if (number === null) return;
  togglePopover(anchor, function (box) {
    box.appendChild(menuList(t("snooze_menu"), snoozeChoices().map(function (choice) {
      return {
        label: choice[0], hint: snoozeWhen(choice[1]),
        onSelect: function () { setStatus(number, "snoozed", choice[1]); },
      };
    })));
    const input = el("input", { type: "datetime-local", id: "inbox-snooze-custom", required: true, min: localInputValue(new Date()) });
    const error = el("p", { className: "form-error", role: "alert", hidden: true });
    const form = el("form", { className: "popover-form", novalidate: true },
      el("label", { for: "inbox-snooze-custom" }, t("snooze_custom")),
      el("div", { className: "popover-inline" }, input,
        el("button", { type: "submit", className: "small" }, t("snooze_submit"))),
      error);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const when = input.value ? new Date(input.value) : null;
      if (!when || isNaN(when.getTime()) || when.getTime() <= Date.now()) {
        error.textContent = t("snooze_future");
        error.hidden = false;
        input.focus();
        return;
      }
      closePopover(true);
      setStatus(number, "snoozed", when);
    });
    box.appendChild(el("div", { role: "separator", className: "menu-sep" }));
    box.appendChild(form);
  }, { className: "popover-snooze" });
}
