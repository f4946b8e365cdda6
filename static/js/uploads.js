// Drop or paste files into the editor's text: each is uploaded (POST /upload, answered in
// JSON) and the Markdown that embeds it is inserted where the cursor is. Kept apart from
// editor.js: it only needs the textarea, the form's data-upload-url and the status line.
// The upload forms (the upload page, a file's new version) use it too: a file larger than
// the wiki takes (data-max-bytes) is refused here, before it is sent.
(function () {
  "use strict";

  // Whether a file is larger than an element's data-max-bytes allows.
  function tooLarge(file, holder) {
    var limit = parseInt(holder.dataset.maxBytes, 10);
    return !!file && !isNaN(limit) && file.size > limit;
  }

  // An upload form: say at once when the chosen file is too large, and do not send it (what
  // was typed stays, as the page stays).
  Array.prototype.forEach.call(
    document.querySelectorAll("form input[type=file][data-max-bytes]"),
    function (input) {
      var note = document.createElement("p");
      note.id = input.id + "-too-large";
      note.className = "flash flash-error";
      note.setAttribute("role", "alert");
      note.hidden = true;
      input.insertAdjacentElement("afterend", note);
      var described = input.getAttribute("aria-describedby");

      function check() {
        var refused = tooLarge(input.files && input.files[0], input);
        note.textContent = refused ? input.dataset.tooLarge : "";
        note.hidden = !refused;
        if (refused) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", ((described || "") + " " + note.id).trim());
        } else {
          input.removeAttribute("aria-invalid");
          if (described) input.setAttribute("aria-describedby", described);
          else input.removeAttribute("aria-describedby");
        }
        return !refused;
      }

      input.addEventListener("change", check);
      input.form.addEventListener("submit", function (event) {
        if (check()) return;
        event.preventDefault();
        input.focus();
      });
    }
  );

  var form = document.getElementById("editor-form");
  if (!form || !form.dataset.uploadUrl || !window.fetch || !window.FormData) return;
  var text = form.querySelector("textarea[name=text]");
  var status = document.getElementById("upload-status");
  var token = document.querySelector("meta[name=csrf-token]");
  var title = form.dataset.title || "";
  var queue = Promise.resolve();
  if (!text || !status) return;

  function say(message, failed) {
    status.textContent = message;
    status.classList.toggle("is-error", !!failed);
  }

  // The page's messages for scripts, in the reader's language (base.html puts them in a <meta>).
  function translated(name, fallback) {
    var holder = document.querySelector("meta[name=js-messages]");
    try { return JSON.parse(holder.content)[name] || fallback; } catch (e) { return fallback; }
  }

  function message(name, file) {
    return (status.dataset[name] || "").replace("%(name)s", file);
  }

  // Where a picture's description goes in its Markdown: between "![" and "](".
  function describedAt(markdown) {
    var end = markdown.indexOf("](");
    return markdown.indexOf("![") === 0 && end > 1 ? [2, end] : null;
  }

  // Insert the Markdown at the caret; with select ([from, to] in it), select that part.
  function insert(markdown, select) {
    // The live editor (live.bundle.js) holds the text once it runs: insert there.
    if (form.dataset.live === "on" && window.bottegaLiveEditor) {
      window.bottegaLiveEditor.insert(markdown, select);
      return;
    }
    var start = text.selectionStart, end = text.selectionEnd, value = text.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\s$/.test(before) ? "\n" : "";
    var tail = after && !/^\s/.test(after) ? "\n" : "";
    text.value = before + lead + markdown + tail + after;
    var at = (before + lead).length;
    if (select) text.setSelectionRange(at + select[0], at + select[1]);
    else text.setSelectionRange(at + markdown.length, at + markdown.length);
    text.focus();
    // editor.js listens for input: the draft autosave sees the new text.
    text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Pasted screenshots are all called "image.png": name them after the page and the time.
  function nameOf(file, pasted) {
    if (!pasted && file.name) return file.name;
    var extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg").replace(/\W.*$/, "");
    var stamp = new Date().toISOString().slice(0, 19).replace("T", " ").replace(/:/g, "-");
    var base = (title || translated("pasted-image", "Pasted image")).replace(/[\/\\#<>\[\]{}|:"*?]+/g, " ").trim();
    return base + " " + stamp + "." + extension;
  }

  function upload(file, pasted) {
    var name = nameOf(file, pasted);
    if (tooLarge(file, status)) {  // not sent: the server would refuse it after it all arrived
      say(name + ": " + status.dataset.tooLarge, true);
      return Promise.resolve();
    }
    var body = new FormData();
    body.append("csrf_token", token ? token.content : "");
    body.append("file", file, name);
    body.append("unique", "1");
    if (title) body.append("description", status.dataset.description || "");
    say(message("busy", name));
    return fetch(form.dataset.uploadUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json()
          .catch(function () { return {}; })  // a proxy's page, not the wiki's answer
          .then(function (data) {
            var refused = response.status === 413 ? status.dataset.refused : "";
            return { ok: response.ok, data: data, refused: refused };
          });
      })
      .then(function (result) {
        if (result.ok && result.data.markdown) {
          // A picture: its description is selected, to be typed over (people who cannot
          // see it hear those words; a camera's file name would tell them nothing).
          var picture = /^image\//.test(result.data.media_type || "");
          var select = picture ? describedAt(result.data.markdown) : null;
          insert(result.data.markdown, select);
          say(message(select ? "describe" : "done", result.data.name));
        } else {
          say(name + ": " + (result.data.detail || result.refused || message("failed", name)), true);
        }
      })
      .catch(function () { say(message("failed", name), true); });
  }

  function take(list, pasted, event) {
    var files = Array.prototype.slice.call(list || []);
    if (!files.length) return;
    var live = form.dataset.live === "on" && window.bottegaLiveEditor;
    if (live && live.isReadOnly && live.isReadOnly()) { event.preventDefault(); return; }
    event.preventDefault();
    files.forEach(function (file) {
      queue = queue.then(function () { return upload(file, pasted); });
    });
  }

  function carriesFiles(event) {
    var types = event.dataTransfer ? Array.prototype.slice.call(event.dataTransfer.types) : [];
    return types.indexOf("Files") >= 0;
  }

  // Listened to on the form: drops and pastes bubble here from the textarea, or from the
  // live editor that replaces it.
  form.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    text.classList.add("is-dropping");
  });
  form.addEventListener("dragleave", function () { text.classList.remove("is-dropping"); });
  form.addEventListener("drop", function (event) {
    text.classList.remove("is-dropping");
    take(event.dataTransfer && event.dataTransfer.files, false, event);
  });
  form.addEventListener("paste", function (event) {
    take(event.clipboardData && event.clipboardData.files, true, event);
  });
  // Picked from the device (a phone has nothing to drop): uploaded as dropped files are.
  var pick = form.querySelector("[data-upload-pick]");
  var chooser = document.getElementById("upload-chooser");
  if (pick && chooser) {
    pick.hidden = false;
    pick.addEventListener("click", function () { chooser.click(); });
    chooser.addEventListener("change", function (event) {
      take(chooser.files, false, event);
      chooser.value = "";
    });
  }
})();
