// Keep the editor's text safe: autosave a server-side draft a few seconds after typing
// stops, and warn before leaving the page with unsaved changes.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form || !window.fetch) return;
  var text = form.querySelector("textarea[name=text]");
  var summary = form.querySelector("input[name=summary]");
  var status = form.querySelector(".draft-status");
  var token = document.querySelector("meta[name=csrf-token]");
  var DELAY = 3000;
  var timer = null;
  var lastSaved = text.value + "\u0000" + summary.value;
  var submitting = false;

  // The digest wiki/core/text.py box_digest makes: FNV-1a, 32 bits, over UTF-16 code units.
  function digest(value) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < value.length; i++) {
      hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193) >>> 0;
    }
    return ("0000000" + hash.toString(16)).slice(-8);
  }

  // Back (or forward) to the editor: the browser puts the typed text back in the box, and
  // the page offers the draft that text was saved as. The box holds it: nothing to offer,
  // if the form saves it on the draft's base (else the notice, and what others changed
  // since, stay). The box is filled again once the page has loaded (not yet when this runs).
  var offered = document.querySelector(".notice-draft[data-draft-digest]");
  var base = form.querySelector("input[name=base_revision]");
  function holdsDraft() {
    if (
      offered && text.value && base && base.value === offered.dataset.draftBase &&
      digest(text.value) === offered.dataset.draftDigest
    ) {
      offered.hidden = true;
      lastSaved = current();  // saved as the draft already: nothing to warn about
    }
  }
  holdsDraft();
  window.addEventListener("pageshow", holdsDraft);

  function current() { return text.value + "\u0000" + summary.value; }

  function say(message) { if (status) status.textContent = message; }

  // The live editor (live.bundle.js) keeps its text in the shared live draft instead.
  function live() { return form.dataset.live === "on"; }

  function saveDraft() {
    timer = null;
    if (live()) return;
    var snapshot = current();
    if (snapshot === lastSaved) return;
    var body = new FormData();
    body.append("csrf_token", token ? token.content : "");
    body.append("text", text.value);
    body.append("summary", summary.value);
    body.append("base_revision", form.querySelector("input[name=base_revision]").value);
    fetch(form.dataset.draftUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (result.ok) { lastSaved = snapshot; say(result.data.message); }
        else { say(result.data.detail || ""); }
      })
      .catch(function () { /* offline: the next pause tries again */ });
  }

  function changed() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(saveDraft, DELAY);
  }

  text.addEventListener("input", changed);
  summary.addEventListener("input", changed);
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && !live() && current() !== lastSaved) {
      saveDraft();
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
