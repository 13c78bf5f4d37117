/*
 * The app's frame: the sidebar opens over the page on small screens (the menu button) and
 * closes with its close button, the scrim, Escape or a link; the workspace and person menus
 * (<details>) close on Escape and on a click elsewhere.
 */
const OPEN_CLASS = "sidebar-open";

function sidebarParts() {
  return {
    sidebar: document.getElementById("sidebar"),
    opener: document.querySelector("[data-sidebar-open]"),
    scrim: document.querySelector(".sidebar-scrim"),
  };
}

function setSidebar(open) {
  const { sidebar, opener, scrim } = sidebarParts();
  if (!sidebar || !opener) return;
  document.body.classList.toggle(OPEN_CLASS, open);
  opener.setAttribute("aria-expanded", String(open));
  if (scrim) scrim.hidden = !open;
  if (open) {
    const first = sidebar.querySelector("a, button, summary");
    if (first) first.focus();
  } else if (sidebar.contains(document.activeElement)) {
    opener.focus();
  }
}

function closeMenus(except) {
  document.querySelectorAll("details.menu[open]").forEach(function (menu) {
    if (menu !== except) menu.open = false;
  });
}

function init() {
  const { opener } = sidebarParts();
  if (opener) opener.addEventListener("click", function () { setSidebar(true); });
  document.querySelectorAll("[data-sidebar-close]").forEach(function (node) {
    node.addEventListener("click", function () { setSidebar(false); });
  });
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const menu = document.querySelector("details.menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    } else if (document.body.classList.contains(OPEN_CLASS)) {
      setSidebar(false);
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
