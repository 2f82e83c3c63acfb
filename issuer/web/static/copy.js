// "Copy" buttons for secrets shown once (new API tokens, OAuth client secrets): a button with
// data-copy-target="ID" copies that element's text to the clipboard and says so next to it.
// Loaded as a same-origin script under SCRIPT_PAGE_CSP; no inline code.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!target) { return; }
    button.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    function fallback(text) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "absolute";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      say(ok ? "Copied." : "Select the text and copy it.");
    }
    button.addEventListener("click", function () {
      var text = target.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say("Copied."); },
                                                 function () { fallback(text); });
      } else {
        fallback(text);
      }
    });
  });
})();
