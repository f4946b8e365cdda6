// Menus that fold on a phone: the site menu in the top bar and a page's secondary actions.
// A button[data-menu] shows or hides the panel its aria-controls names (aria-expanded says
// which); Escape or a click elsewhere closes it, and Escape gives focus back to the button.
// On a wide screen the stylesheet shows the panels whatever the button says. Without this
// script the buttons stay hidden and every link stays shown.
(function () {
  "use strict";
  const buttons = Array.from(document.querySelectorAll("button[data-menu]")).filter(
    (button) => document.getElementById(button.getAttribute("aria-controls"))
  );

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function isOpen(button) {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panelOf(button).classList.toggle("is-open", open);
  }

  buttons.forEach(function (button) {
    panelOf(button).classList.add("is-collapsible");
    button.hidden = false;
    button.addEventListener("click", function () {
      const open = !isOpen(button);
      buttons.forEach(function (other) {
        if (other !== button && isOpen(other)) {
          setOpen(other, false);
        }
      });
      setOpen(button, open);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    buttons.filter(isOpen).forEach(function (button) {
      const focused = document.activeElement;
      const inside = focused === button || panelOf(button).contains(focused);
      setOpen(button, false);
      if (inside) {
        button.focus();
      }
    });
  });

  document.addEventListener("click", function (event) {
    buttons.filter(isOpen).forEach(function (button) {
      if (!button.contains(event.target) && !panelOf(button).contains(event.target)) {
        setOpen(button, false);
      }
    });
  });
})();
