// Business hours editor: add and remove a day's intervals without a round trip.
// Without this script the page still works: each day has one empty row to fill in, and an
// interval is removed by clearing its times.
const form = document.querySelector("[data-hours-form]");

function refresh(day) {
  const rows = day.querySelectorAll("[data-intervals] > li");
  day.querySelector("[data-closed]").hidden = rows.length > 0;
}

function addRow(day) {
  const template = day.querySelector("template[data-row]");
  const list = day.querySelector("[data-intervals]");
  const row = template.content.firstElementChild.cloneNode(true);
  const last = list.lastElementChild;
  if (last) {
    // The new interval starts where the day's last one ends.
    const lastEnd = last.querySelector("input[name^='end-']").value;
    if (lastEnd && lastEnd !== "00:00") {
      row.querySelector("input[name^='start-']").value = lastEnd;
      row.querySelector("input[name^='end-']").value = lastEnd < "23:00" ? "23:59" : "00:00";
    }
  }
  row.querySelector("[data-remove]").hidden = false;
  list.append(row);
  refresh(day);
  row.querySelector("input").focus();
}

if (form) {
  for (const day of form.querySelectorAll("[data-day]")) {
    for (const blank of day.querySelectorAll("[data-blank]")) blank.remove();
    for (const button of day.querySelectorAll("[data-remove], [data-add]")) button.hidden = false;
    refresh(day);
  }
  form.addEventListener("click", (event) => {
    const day = event.target.closest("[data-day]");
    if (!day) return;
    if (event.target.closest("[data-add]")) {
      addRow(day);
    } else if (event.target.closest("[data-remove]")) {
      event.target.closest("li").remove();
      refresh(day);
      day.querySelector("[data-add]").focus();
    }
  });
}
