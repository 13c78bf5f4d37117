/*
 * A new workspace's time zone starts as the browser's, not UTC: a <select> marked
 * data-browser-timezone that still shows the server's first value (the attribute's value)
 * takes the zone the browser reports, when it is one of the choices.
 */
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

document.querySelectorAll("select[data-browser-timezone]").forEach(function (select) {
  if (!zone || select.value !== select.dataset.browserTimezone) return;
  if (Array.from(select.options).some(function (option) { return option.value === zone; })) {
    select.value = zone;
  }
});
