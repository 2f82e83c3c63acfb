// Copy buttons on the credential page: <button data-copy="ID"> copies the text of element ID.
// No inline handlers (the page's CSP allows only scripts from this site).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var done = document.getElementById(button.id + "-done");
    if (!source) { return; }
    button.hidden = false;  // without JavaScript the text can still be selected by hand
    button.addEventListener("click", function () {
      var text = source.value !== undefined ? source.value : source.textContent;
      var shown = function () { if (done) { done.hidden = false; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(shown, function () {
          source.select(); document.execCommand("copy"); shown();
        });
      } else {
        source.select(); document.execCommand("copy"); shown();
      }
    });
  });
});

// Mastodon has no central share page: the visitor names their instance, and we open its
// own share intent (https://<instance>/share?text=…). The name is kept in this browser only.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("mastodon-share");
  if (!form) { return; }
  var input = document.getElementById("mastodon-instance");
  var error = document.getElementById("mastodon-error");
  var key = "issuer.mastodon-instance";
  var hostPattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?$/;
  try { input.value = window.localStorage.getItem(key) || ""; } catch (e) { /* private mode */ }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var host = input.value.trim().toLowerCase().replace(/^https:\/\//, "").replace(/\/+$/, "");
    if (host.indexOf("@") !== -1) { host = host.slice(host.lastIndexOf("@") + 1); }
    if (!hostPattern.test(host)) { error.hidden = false; input.focus(); return; }
    error.hidden = true;
    try { window.localStorage.setItem(key, host); } catch (e) { /* private mode */ }
    var url = "https://" + host + "/share?text=" + encodeURIComponent(form.getAttribute("data-text"));
    var link = document.createElement("a");  // window.open with noopener returns null
    link.href = url; link.target = "_blank"; link.rel = "noopener noreferrer";
    link.id = "mastodon-opened"; link.hidden = true;
    var previous = document.getElementById("mastodon-opened");
    if (previous) { previous.remove(); }
    form.appendChild(link);
    link.click();
  });
});
