/* Notifications, progressively enhanced: without this file every form still works.
 *
 * - "Mark as read" and "Mark all as read" post with fetch: the row changes in place and
 *   the bell in the top bar shows the new count.
 * - Following a notification's link marks it read on the way (a beacon with the form's
 *   data, CSRF token included), so coming back shows it read.
 * No inline scripts, styles or handlers: the page can run under a strict CSP.
 */
(function () {
  "use strict";

  function updateBell(answer) {
    var bell = document.querySelector(".bell");
    if (!bell) {
      return;
    }
    var count = bell.querySelector(".bell-count");
    if (answer.unread > 0) {
      if (!count) {
        count = document.createElement("span");
        count.className = "bell-count";
        bell.appendChild(count);
      }
      count.textContent = answer.unread > 99 ? "99+" : String(answer.unread);
      bell.classList.add("has-unread");
    } else {
      if (count) {
        count.remove();
      }
      bell.classList.remove("has-unread");
    }
    if (answer.label) {
      bell.setAttribute("aria-label", answer.label);
    }
  }

  function markRowRead(row) {
    row.classList.remove("is-unread");
    var badge = row.querySelector(".badge-unread");
    if (badge) {
      badge.remove();
    }
    var form = row.querySelector("form[data-mark-read]");
    if (form) {
      form.remove();
    }
  }

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-mark-read]")) {
      return;
    }
    event.preventDefault();
    var row = form.closest(".notification");
    send(form).then(function (answer) {
      if (row) {
        markRowRead(row);
      } else {
        document.querySelectorAll(".notification.is-unread").forEach(markRowRead);
        form.remove();
      }
      updateBell(answer);
    }).catch(function () {
      form.submit(); // fall back to the plain form post
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".notification.is-unread .notification-link");
    if (!link || !navigator.sendBeacon) {
      return;
    }
    var form = link.closest(".notification").querySelector("form[data-mark-read]");
    if (form) {
      navigator.sendBeacon(form.action, new FormData(form));
    }
  });
})();
