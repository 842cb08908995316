// The pages mail links open. The token is in the URL fragment, which a
// browser never sends to a server; this script reads it, removes it from
// the address bar, and sends it only when the person presses the button,
// so a mail scanner or a link preview that opens the link spends nothing.
"use strict";
(function () {
  const page = document.body.dataset.page;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token") || "";
  if (location.hash) {
    history.replaceState(null, "", location.pathname + location.search);
  }
  if (!token) {
    $("code-fields").hidden = false;
  }
  const show = (text, ok) => {
    const m = $("message");
    m.textContent = text;
    m.className = ok ? "ok" : "error";
  };
  $("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = token ? { token } : { email: $("email").value.trim(), code: $("code").value.trim() };
    let path = "/auth/email/verify";
    if (page === "reset") {
      const p1 = $("password").value, p2 = $("password2").value;
      if (p1 !== p2) {
        show("The two passwords do not match.", false);
        return;
      }
      body.new_password = p1;
      path = "/auth/password/reset";
    }
    $("submit").disabled = true;
    try {
      const res = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
      if (res.status === 204) {
        $("form").hidden = true;
        show(page === "reset"
          ? "Your password has been changed. Every session was signed out: log in with the new password."
          : "Your email address is confirmed.", true);
        return;
      }
      const err = await res.json().catch(() => ({}));
      const fields = (err.errors || []).map((e) => e.message).join(" ");
      show(fields || err.detail || "Something went wrong; try again.", false);
    } catch (e) {
      show("authd could not be reached; try again.", false);
    } finally {
      $("submit").disabled = false;
    }
  });
})();
