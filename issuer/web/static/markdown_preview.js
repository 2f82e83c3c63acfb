// Live Markdown preview in the achievement form: a textarea with data-markdown-preview="ID"
// shows, in the element ID, the HTML the public page will show. The HTML is rendered and
// cleaned on the server (POST /admin/markdown/preview, with the form's CSRF token) by the
// same code as the public pages, so nothing is rendered here. Without this script the form's
// "Preview the Markdown" button does the same with a full page. No inline code.
(function () {
  "use strict";
  var fields = document.querySelectorAll("textarea[data-markdown-preview]");
  if (!fields.length) { return; }
  var button = document.getElementById("preview-markdown");
  if (button && button.parentNode) { button.parentNode.hidden = true; }

  Array.prototype.forEach.call(fields, function (field) {
    var box = document.getElementById(field.getAttribute("data-markdown-preview"));
    if (!box) { return; }
    var body = box.querySelector(".preview-body");
    var url = box.getAttribute("data-preview-url");
    var token = field.form && field.form.querySelector('[name="csrf_token"]');
    var timer = null;
    var sent = 0;

    function show(html) {
      body.innerHTML = html; // cleaned by nh3 on the server
      box.hidden = !field.value.trim();
    }

    function refresh() {
      var text = field.value;
      if (!text.trim()) { show(""); return; }
      var ticket = ++sent;
      var data = new URLSearchParams();
      data.set("text", text);
      if (token) { data.set("csrf_token", token.value); }
      fetch(url, {method: "POST", body: data, credentials: "same-origin",
                  headers: {"Accept": "text/html"}})
        .then(function (response) {
          return response.text().then(function (answer) {
            if (ticket !== sent) { return; } // an older answer
            if (response.ok) { show(answer); return; }
            body.textContent = response.status === 422 ? answer : "The preview is not available.";
            box.hidden = false;
          });
        })
        .catch(function () {
          if (ticket === sent) { body.textContent = "The preview is not available."; }
        });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    if (field.value.trim()) { refresh(); }
  });
}());
