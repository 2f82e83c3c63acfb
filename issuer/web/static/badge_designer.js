// Badge designer in the achievement form: shows the part of the form the badge image choice
// needs (designer, upload, or the current image) and keeps the preview image up to date.
// The preview is drawn on the server (/admin/designer/preview.svg) by the code that draws
// the saved badge, so what is shown is what is saved. No other requests, no inline code.
(function () {
  "use strict";
  var root = document.getElementById("badge-designer");
  if (!root) { return; }
  var form = root.closest("form");
  var preview = document.getElementById("badge-preview");
  var base = root.getAttribute("data-preview-url");
  var nameField = form.querySelector('[name="name"]');
  var titleField = form.querySelector('[name="design_title"]');
  var keys = ["shape", "background", "accent", "foreground", "icon", "title", "ribbon"];
  var timer = null;
  var wanted = "";

  function value(key) {
    var field = form.querySelector('[name="design_' + key + '"]:checked') ||
      form.querySelector('[name="design_' + key + '"]:not([type="radio"])');
    return field ? field.value : "";
  }

  function refresh() {
    var params = new URLSearchParams();
    keys.forEach(function (key) { params.set(key, value(key)); });
    if (!params.get("title").trim()) {
      params.set("title", (nameField && nameField.value.trim()) || "Badge");
    }
    var url = base + "?" + params.toString();
    if (url === wanted) { return; }
    wanted = url;
    // Load it aside first: a value the server refuses (422) keeps the last good preview.
    var probe = new Image();
    probe.onload = function () {
      if (url !== wanted) { return; }
      preview.src = url;
      root.setAttribute("data-preview", "ready");
    };
    probe.onerror = function () {
      if (url === wanted) { root.setAttribute("data-preview", "refused"); }
    };
    root.setAttribute("data-preview", "loading");
    probe.src = url;
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 120);
  }

  function showSource() {
    var checked = form.querySelector('[name="image_source"]:checked');
    var source = checked ? checked.value : "design";
    root.querySelectorAll("[data-when]").forEach(function (part) {
      part.hidden = part.getAttribute("data-when") !== source;
    });
  }

  root.addEventListener("input", later);
  root.addEventListener("change", function (event) {
    if (event.target.name === "image_source") { showSource(); } else { later(); }
  });
  if (nameField) {
    nameField.addEventListener("input", function () {
      if (titleField) { titleField.placeholder = nameField.value; }
      later();
    });
  }
  showSource();
  refresh();
}());
