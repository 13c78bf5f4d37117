/*
 * The inbox's JSON requests to the server (besides its socket): a POST with the page's CSRF
 * token, answered as {ok, data} (data: the parsed JSON, {} when the answer was not JSON).
 */
export function postJSON(url, body, csrfToken) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": String(csrfToken || ""),
    },
    body: JSON.stringify(body || {}),
  }).then(function (r) {
    return r.json().then(
      function (data) { return { ok: r.ok, data: data || {} }; },
      function () { return { ok: false, data: {} }; }
    );
  });
}
