// Ask before a destructive action, in the page's <dialog id="confirm-dialog">
// (templates/core/confirm_dialog.html). A form marked
//   <form data-confirm-title="Remove Ayşe Kaya?" data-confirm-body="…" data-confirm-action="Remove Ayşe Kaya">
// submits only once its action button in the dialog is pressed; Cancel, Esc or a click beside
// the dialog leave everything as it was. A link marked the same way is sent as a POST to its
// href on confirming (the link itself, without this script, leads to a confirmation page).
const dialog = document.getElementById("confirm-dialog");

if (dialog) {
  const title = dialog.querySelector("#confirm-dialog-title");
  const body = dialog.querySelector("#confirm-dialog-body");
  const ok = dialog.querySelector("[data-confirm-ok]");
  const post = dialog.querySelector("form[data-confirm-post]");
  let proceed = null;
  let opener = null;

  const ask = (data, then) => {
    title.textContent = data.confirmTitle;
    body.textContent = data.confirmBody || "";
    ok.textContent = data.confirmAction || data.confirmTitle;
    proceed = then;
    opener = document.activeElement;
    dialog.returnValue = "";
    dialog.showModal();
  };

  dialog.addEventListener("close", () => {
    const then = proceed;
    proceed = null;
    if (dialog.returnValue === "confirm" && then) {
      then();
    } else if (opener && opener.isConnected) {
      opener.focus();
    }
  });

  // A click on the backdrop (the dialog itself, outside its form) cancels.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirmTitle) return;
    if (form.dataset.confirmed) {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    ask(form.dataset, () => {
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter && submitter.form === form ? submitter : null);
    });
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-confirm-title]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    ask(link.dataset, () => {
      post.action = link.href;
      post.submit();
    });
  });
}
