/* Thủ đô số — small progressive enhancements; every page works without them (and without
   inline scripts: the Content-Security-Policy allows only files from this site). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Menus that fold away on narrow screens: a button shows or hides its menu.
  function menus(root) {
    root.querySelectorAll("button.menu-toggle[aria-controls]").forEach(function (button) {
      if (button.dataset.ready) return;
      var target = document.getElementById(button.getAttribute("aria-controls"));
      if (!target) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        target.classList.toggle("open", open);
      });
    });
  }

  // A table wider than the screen scrolls inside its frame; the frame must then be reachable
  // from the keyboard and named (WCAG 2.1.1), by the table's caption or the page's heading.
  function scrollables(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var caption = wrap.querySelector("caption") || document.querySelector("main h1");
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        if (caption) wrap.setAttribute("aria-label", caption.textContent.trim());
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  // Text areas with a length limit say how much room is left (notes, reasons).
  function counters(root) {
    root.querySelectorAll("textarea[maxlength]").forEach(function (area) {
      if (area.dataset.counter) return;
      area.dataset.counter = "1";
      var out = document.createElement("p");
      out.className = "hint counter";
      out.id = (area.id || area.name) + "-counter";
      out.setAttribute("aria-live", "polite");
      var described = area.getAttribute("aria-describedby");
      area.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
      var max = area.maxLength;
      var template = document.body.dataset.counter || "{n}/{max}";
      function update() {
        out.textContent = template.replace("{n}", area.value.length).replace("{max}", max);
      }
      area.addEventListener("input", update);
      area.insertAdjacentElement("afterend", out);
      update();
    });
  }

  function enhance(root) {
    menus(root);
    scrollables(root);
    counters(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
  window.addEventListener("resize", function () { scrollables(document); });
})();
