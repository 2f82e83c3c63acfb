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
