// The plain editor's formatting toolbar and side preview: the textarea of a new page, a
// translation, a conflict or an undo gets the same tools as the live editor (whose own,
// in live.bundle.js, work on CodeMirror). Without JavaScript the textarea works as it is.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form || !form.dataset.toolbar || document.getElementById("live-editor")) return;
  var text = form.querySelector("textarea[name=text]");
  if (!text) return;
  var labels = JSON.parse(form.dataset.labels || "{}");
  var token = document.querySelector("meta[name=csrf-token]");

  // Replace from..to with insert and select selectFrom..selectTo (offsets in the new text).
  // insertText keeps the browser's own undo: one Ctrl+Z takes the change back.
  function replace(from, to, insert, selectFrom, selectTo) {
    text.focus();
    text.setSelectionRange(from, to);
    var done = false;
    try { done = document.execCommand("insertText", false, insert); } catch (_error) { done = false; }
    if (!done || text.value.slice(from, from + insert.length) !== insert) {
      text.setRangeText(insert, from, to, "end");
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
    text.setSelectionRange(selectFrom, selectTo);
  }

  function wrap(before, after, placeholder) {
    return function () {
      var from = text.selectionStart, to = text.selectionEnd;
      var inner = text.value.slice(from, to) || placeholder;
      var start = from + before.length;
      replace(from, to, before + inner + after, start, start + inner.length);
    };
  }

  function prefixLines(prefix) {
    return function () {
      var value = text.value;
      var from = value.lastIndexOf("\n", text.selectionStart - 1) + 1;
      var end = value.indexOf("\n", Math.max(text.selectionEnd, from));
      var to = end === -1 ? value.length : end;
      var lines = value.slice(from, to).split("\n").map(function (line) {
        return prefix + line.replace(/^(#{1,6} |- )/, "");
      });
      var insert = lines.join("\n");
      replace(from, to, insert, from + insert.length, from + insert.length);
    };
  }

  function insertBlock(block) {
    return function () {
      var value = text.value;
      var end = value.indexOf("\n", text.selectionStart);
      var at = end === -1 ? value.length : end;
      var lineStart = value.lastIndexOf("\n", text.selectionStart - 1) + 1;
      var lead = value.slice(lineStart, at) ? "\n\n" : "";
      if (!lead) at = lineStart;
      var caret = at + lead.length + block.length;
      replace(at, at, lead + block + "\n", caret, caret);
    };
  }

  // Where uploads are possible, the image tool picks pictures from the device and uploads
  // them (static/js/uploads.js) instead of inserting a placeholder to fill in by hand.
  function pickPictures() {
    var pick = document.querySelector("[data-upload-pick]");
    if (!pick || pick.hidden || pick.disabled) return false;
    pick.click();
    return true;
  }

  var commands = {
    h2: prefixLines("## "),
    h3: prefixLines("### "),
    bold: wrap("**", "**", "bold"),
    italic: wrap("_", "_", "italic"),
    link: wrap("[", "](https://)", "text"),
    wikilink: wrap("[[", "]]", "Page"),
    list: prefixLines("- "),
    table: insertBlock("| Column | Column |\n| --- | --- |\n| | |"),
    image: function () { if (!pickPictures()) wrap("![", "](File:name.png)", "description")(); },
  };
  var shown = { h2: "H2", h3: "H3", bold: "B", italic: "I", link: "[ ](…)", wikilink: "[[ ]]", list: "•", table: "▦", image: "![ ]" };

  var bar = document.createElement("div");
  bar.className = "live-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", form.dataset.toolbar);
  Object.keys(commands).forEach(function (key) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "live-tool live-tool-" + key;
    button.textContent = shown[key];
    button.title = labels[key] || key;
    button.setAttribute("aria-label", labels[key] || key);
    button.setAttribute("aria-controls", text.id);
    button.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the selection
    button.addEventListener("click", commands[key]);
    bar.append(button);
  });
  text.parentNode.insertBefore(bar, text);

  var keys = { b: commands.bold, i: commands.italic, k: commands.link };
  text.addEventListener("keydown", function (event) {
    var run = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && keys[event.key.toLowerCase()];
    if (run) { event.preventDefault(); run(); }
  });

  // The preview beside the text on wide screens, as the live editor's: the server renders
  // (POST /live/preview, the page view's Markdown and sanitiser) a moment after typing
  // stops. A translation's editor already has the source beside the text: no preview there.
  var url = form.dataset.previewUrl;
  if (!url || !window.matchMedia || !window.fetch || form.querySelector(".translation-editor")) return;
  var pane = document.createElement("section");
  pane.className = "live-preview prose";
  pane.setAttribute("aria-label", form.dataset.previewLabel || "Preview");
  pane.setAttribute("aria-live", "off");
  var split = document.createElement("div");
  split.className = "live-split";
  text.parentNode.insertBefore(split, text);
  split.append(text, pane);
  var wide = window.matchMedia("(min-width: 1100px)");
  var timer = null;
  var rendered = null;

  function render() {
    timer = null;
    var markdown = text.value;
    if (!wide.matches || markdown === rendered) return;
    var body = new FormData();
    body.append("text", markdown);
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.content : "" }
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.html !== undefined) {
          pane.innerHTML = data.html; // sanitised by the server, as on every page view
          // Read, not used: Tab goes on from the text to the summary and Save.
          pane.querySelectorAll("a[href], button, input, select, textarea, iframe, summary, [tabindex]")
            .forEach(function (element) { element.setAttribute("tabindex", "-1"); });
          rendered = markdown;
        } else if (data.error || data.detail) {
          pane.textContent = data.error || data.detail;
        }
      })
      .catch(function () { /* offline: the next pause tries again */ });
  }

  function changed() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(render, 1200);
  }
  text.addEventListener("input", changed);
  wide.addEventListener("change", changed);
  changed();
})();
