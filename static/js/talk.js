/* Talk pages, progressively enhanced: without this file every form still works.
 *
 * - "Reply" on a comment opens a form under it that posts with fetch and inserts the new
 *   comment without reloading; a refusal is shown in the form and the text is kept.
 *   The topic's comment count (in its header) and the Discussion tab's follow: the server's
 *   answer says the topic's count in the reader's language; without it, what is shown is
 *   counted on by one.
 * (Forms with data-confirm, deleting a comment, ask first: static/js/confirm.js.)
 * No inline scripts, styles or handlers: the page can run under a strict CSP.
 */
(function () {
  "use strict";

  var MAX_LEVEL = 6;
  var template = document.getElementById("reply-template");
  var counter = 0;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function itemOf(element) {
    return element.closest("li.comment-item");
  }

  function openForm(link) {
    var item = itemOf(link);
    var article = item.querySelector("article.comment");
    var existing = item.querySelector(":scope > .inline-reply-form");
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    // One reply at a time: a form opened elsewhere and left empty goes (one with words
    // typed in it stays, so nothing typed is lost).
    document.querySelectorAll(".inline-reply-form").forEach(function (other) {
      if (!other.querySelector("textarea").value.trim()) other.remove();
    });
    var form = template.content.firstElementChild.cloneNode(true);
    var id = "inline-reply-" + ++counter;
    form.querySelector("label").setAttribute("for", id);
    form.querySelector("textarea").id = id;
    form.querySelector('input[name="parent"]').value = link.getAttribute("data-comment-id");
    article.insertAdjacentElement("afterend", form);
    form.querySelector("textarea").focus();
  }

  // The page's messages for scripts, in the reader's language (base.html puts them in a <meta>).
  function translated(name, fallback) {
    var holder = document.querySelector("meta[name=js-messages]");
    try { return JSON.parse(holder.content)[name] || fallback; } catch (e) { return fallback; }
  }

  function showError(form, text) {
    var box = form.querySelector(".inline-reply-error");
    box.textContent = text;
    box.hidden = false;
  }

  // The header's "2 comments" and the tab's "Discussion (3)" after a reply was added.
  function updateCounts(counts) {
    var shown = document.querySelector(".topic-comment-count");
    if (!shown) return;
    var before = parseInt(shown.getAttribute("data-count"), 10) || 0;
    var now = counts ? parseInt(counts.getAttribute("data-count"), 10) : NaN;
    if (isNaN(now)) now = before + 1;
    shown.setAttribute("data-count", now);
    if (counts && counts.getAttribute("data-text")) shown.textContent = counts.getAttribute("data-text");
    // The page's count is the sum of its topics': this topic's grew by now - before.
    var page = (parseInt(shown.getAttribute("data-page-count"), 10) || 0) + now - before;
    shown.setAttribute("data-page-count", page);
    var format = counts && counts.getAttribute("data-tab-text");
    var href = shown.getAttribute("data-tab");
    if (!format || !href) return;
    document.querySelectorAll(".tabs a").forEach(function (tab) {
      if (tab.getAttribute("href") === href) tab.textContent = format.split("{count}").join(String(page));
    });
  }

  function insertComment(form, html) {
    var item = itemOf(form);
    var level = parseInt(item.getAttribute("data-level"), 10) || 1;
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var added = holder.content.firstElementChild;
    updateCounts(holder.content.querySelector("template.talk-counts"));
    if (level < MAX_LEVEL) {
      var replies = item.querySelector(":scope > ol.replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "replies";
        item.appendChild(replies);
      }
      replies.appendChild(added);
    } else {
      // At the deepest level replies follow the comment they answer, which they name.
      item.insertAdjacentElement("afterend", added);
    }
    form.remove();
    var article = added.querySelector("article.comment");
    if (article) {
      window.location.hash = article.id;
    }
  }

  function send(form, action) {
    var data = new FormData(form);
    data.set("csrf_token", csrfToken());
    data.set("action", action);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    form.querySelector(".inline-reply-error").hidden = true;
    var failed = template.getAttribute("data-error") || translated("network-error", "The server could not be reached.");
    // form.action would be the "action" buttons, not the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "text/html+fragment" }
    }).then(function (response) {
      return response.text().then(function (text) {
        var type = response.headers.get("Content-Type") || "";
        if (action === "preview" && response.ok) {
          var preview = form.querySelector(".inline-reply-preview");
          preview.innerHTML = text;
          preview.hidden = false;
        } else if (response.ok) {
          insertComment(form, text);
        } else {
          showError(form, type.indexOf("text/plain") === 0 ? text : failed);
        }
      });
    }).catch(function () {
      showError(form, failed);
    }).finally(function () {
      buttons.forEach(function (button) { button.disabled = false; });
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment-reply-link");
    if (link && template) {
      event.preventDefault();
      openForm(link);
      return;
    }
    var cancel = event.target.closest(".inline-reply-cancel");
    if (cancel) {
      cancel.closest("form").remove();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches(".inline-reply-form")) {
      event.preventDefault();
      var submitter = event.submitter;
      send(form, submitter && submitter.value === "preview" ? "preview" : "save");
    }
  });
})();
