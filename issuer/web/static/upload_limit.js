// Size check before upload: a file input with data-max-bytes="N" says at once when the chosen
// file is larger than N bytes (the server's limit for that field), and the form is not sent
// while it is. The server checks again (a too-large file comes back as a form error with the
// other values kept), so this is only a convenience. Same-origin script, no inline code.
(function () {
  "use strict";
  function sizeText(bytes) {
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(bytes % 1048576 ? 1 : 0) + " MiB"; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + " KiB"; }
    return bytes + " bytes";
  }
  function messageFor(input) {
    var id = input.id + "-size-warning";
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("p");
      note.id = id;
      note.className = "error";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
      input.setAttribute("aria-describedby", id);
    }
    return note;
  }
  function check(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes") || "", 10);
    var file = input.files && input.files[0];
    var tooLarge = Boolean(limit && file && file.size > limit);
    var note = document.getElementById(input.id + "-size-warning");
    if (tooLarge) {
      messageFor(input).textContent = "This file is " + sizeText(file.size) + "; the limit is " +
        sizeText(limit) + ". Choose a smaller file.";
    } else if (note) {
      note.textContent = "";
    }
    return !tooLarge;
  }
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { check(input); });
    if (input.form && !input.form.hasAttribute("data-upload-checked")) {
      input.form.setAttribute("data-upload-checked", "");
      input.form.addEventListener("submit", function (event) {
        var fields = input.form.querySelectorAll("input[type=file][data-max-bytes]");
        for (var i = 0; i < fields.length; i += 1) {
          if (!check(fields[i])) { event.preventDefault(); fields[i].focus(); return; }
        }
      });
    }
  });
}());
