// Emailed sign-in and claim links carry their token after "#": browsers never send that part,
// so the token is in no request line, access log or Referer. This moves it into the form
// that POSTs it, and drops it from the address bar and history.
(function () {
  "use strict";
  var form = document.getElementById("link-form");
  if (!form) { return; }
  var token = window.location.hash.slice(1);
  if (!token) {
    document.getElementById("link-missing").hidden = false;
    return;
  }
  window.history.replaceState(null, "", window.location.pathname);
  form.elements.token.value = decodeURIComponent(token);
  form.hidden = false;
  if (form.getAttribute("data-autosubmit") === "1") { form.submit(); }
})();
