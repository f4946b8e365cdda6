// The editor's formatting tools and the preview beside the text, for both editors: the
// plain one (the textarea of a new page, a translation, a conflict or an undo) set up here,
// and the live one (live.bundle.js, on CodeMirror), which takes the same tools and preview
// from window.bottegaEditorTools. Without JavaScript the textarea works as it is.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  // What the tools put in where nothing is selected, in the page's language: the edit form's
  // data-placeholders (templates/pages/edit.html); these English words without it.
  var WORDS = {
    bold: "bold", italic: "italic", link: "text", wikilink: "Page", image: "description",
    file: "File:name.png", column: "Column",
  };
  try { Object.assign(WORDS, JSON.parse((form && form.dataset.placeholders) || "{}")); } catch (_error) { /* English */ }
  // Each tool: Markdown marks around the selection (wrap), a prefix on each line of it
  // (lines), or a block on lines of its own (block; select: the part of it selected after,
  // to type over); shown: the button's face.
  var TOOLS = {
    h2: { kind: "lines", text: "## ", shown: "H2" },
    h3: { kind: "lines", text: "### ", shown: "H3" },
    bold: { kind: "wrap", before: "**", after: "**", placeholder: WORDS.bold, shown: "B" },
    italic: { kind: "wrap", before: "_", after: "_", placeholder: WORDS.italic, shown: "I" },
    link: { kind: "wrap", before: "[", after: "](https://)", placeholder: WORDS.link, shown: "[ ](…)" },
    wikilink: { kind: "wrap", before: "[[", after: "]]", placeholder: WORDS.wikilink, shown: "[[ ]]" },
    list: { kind: "lines", text: "- ", shown: "•" },
    table: {
      kind: "block", text: "| " + WORDS.column + " | " + WORDS.column + " |\n| --- | --- |\n| | |",
      select: [2, 2 + WORDS.column.length], shown: "▦",
    },
    image: { kind: "wrap", before: "![", after: "](" + WORDS.file + ")", placeholder: WORDS.image, shown: "![ ]" },
  };
  // What a line prefix tool replaces: another heading or list mark.
  var LINE_MARK = /^(#{1,6} |- )/;
  var SHORTCUTS = { b: "bold", i: "italic", k: "link" };

  // Where uploads are possible, the image tool picks pictures from the device and uploads
  // them (static/js/uploads.js) instead of inserting a placeholder to fill in by hand.
  function pickPictures() {
    var pick = document.querySelector("[data-upload-pick]");
    if (!pick || pick.hidden || pick.disabled) return false;
    pick.click();
    return true;
  }

  // Return the toolbar: a button per tool, each calling use(key). As a toolbar should, it
  // is one Tab stop: the arrow keys (and Home, End) move between its buttons.
  function toolbar(name, labels, use, controls) {
    var bar = document.createElement("div");
    bar.className = "live-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", name);
    var buttons = Object.keys(TOOLS).map(function (key, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "live-tool live-tool-" + key;
      button.textContent = TOOLS[key].shown;
      button.title = labels[key] || key;
      button.tabIndex = index ? -1 : 0;
      button.setAttribute("aria-label", labels[key] || key);
      if (controls) button.setAttribute("aria-controls", controls);
      button.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the selection
      button.addEventListener("click", function () { current(index); use(key); });
      bar.append(button);
      return button;
    });
    function current(index) {
      buttons.forEach(function (button, at) { button.tabIndex = at === index ? 0 : -1; });
      return buttons[index];
    }
    var MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    bar.addEventListener("keydown", function (event) {
      var at = buttons.indexOf(document.activeElement);
      if (at === -1) return;
      var to = event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1
        : event.key in MOVES ? (at + MOVES[event.key] + buttons.length) % buttons.length : -1;
      if (to === -1) return;
      event.preventDefault();
      current(to).focus();
    });
    return bar;
  }

  // Where a block (a table) goes for the cursor on a line: on lines of its own, with a blank
  // line before it (else Markdown reads it as the paragraph's text going on) and one after
  // it (else what is typed under it is one more row of the table). What the person types
  // next goes into the block: its first words are selected (a table's first heading), as
  // word processors put the cursor in a new table's first cell. The lines around are
  // { from, to, text } or null. Returns the offset to insert at, the text, and the selection
  // (offsets in the document).
  function blockInsertion(tool, line, previousLine, nextLine) {
    var at = line.text ? line.to : line.from;
    var lead = line.text ? "\n\n" : previousLine && previousLine.text ? "\n" : "";
    var tail = !nextLine ? "\n\n" : nextLine.text ? "\n" : "";
    var start = at + lead.length;
    var select = tool.select || [tool.text.length, tool.text.length];
    return { at: at, insert: lead + tool.text + tail, from: start + select[0], to: start + select[1] };
  }

  // The preview beside the text on wide screens: the server renders (POST /live/preview,
  // the page view's Markdown and sanitiser) a moment after typing stops. Returns
  // { changed() } to call when the text changes.
  function sidePreview(editor, textOf, url, label) {
    var token = document.querySelector("meta[name=csrf-token]");
    if (!url || !window.matchMedia || !window.fetch) return { changed: function () {} };
    var pane = document.createElement("section");
    pane.className = "live-preview prose";
    pane.setAttribute("aria-label", label || "Preview");
    pane.setAttribute("aria-live", "off");
    var split = document.createElement("div");
    split.className = "live-split";
    // Moving the editor into the split takes the focus from it (the browser blurs what
    // leaves the page, even for a moment): whoever began typing before this script ran (a
    // slow phone) would go on typing into nothing. The focus, the selection and the scroll
    // come back in the same task, before any key is handled.
    var focused = editor.contains(document.activeElement) ? document.activeElement : null;
    var selection = focused && typeof focused.setSelectionRange === "function"
      ? [focused.selectionStart, focused.selectionEnd, focused.selectionDirection] : null;
    var scrolled = editor.scrollTop;
    editor.parentNode.insertBefore(split, editor);
    split.append(editor, pane);
    editor.scrollTop = scrolled;
    if (focused) {
      focused.focus({ preventScroll: true });
      if (selection) focused.setSelectionRange(selection[0], selection[1], selection[2]);
    }
    var wide = window.matchMedia("(min-width: 1100px)");
    var timer = null;
    var rendered = null;
    var asked = 0; // the latest request: an earlier answer arriving after it is dropped

    function render() {
      timer = null;
      var markdown = textOf();
      if (!wide.matches || markdown === rendered) return;
      var mine = ++asked;
      var body = new FormData();
      body.append("text", markdown);
      fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.content : "" }
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (mine !== asked) return; // a newer text was sent meanwhile
          if (data.html !== undefined) {
            pane.innerHTML = data.html; // sanitised by the server, as on every page view
            // Read, not used: Tab goes on from the text to the summary and Save, not
            // through every link and heading anchor of the preview.
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
    wide.addEventListener("change", changed);
    render(); // the text there is now: an empty pane until the first pause looked broken
    return { changed: changed };
  }

  window.bottegaEditorTools = {
    TOOLS: TOOLS, LINE_MARK: LINE_MARK, SHORTCUTS: SHORTCUTS,
    toolbar: toolbar, sidePreview: sidePreview, pickPictures: pickPictures,
    blockInsertion: blockInsertion,
  };

  // --- The plain editor ------------------------------------------------------------------
  if (!form || !form.dataset.toolbar || document.getElementById("live-editor")) return;
  var text = form.querySelector("textarea[name=text]");
  if (!text) return;

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

  function lineStart(value, at) { return value.lastIndexOf("\n", at - 1) + 1; }
  function lineEnd(value, at) { var end = value.indexOf("\n", at); return end === -1 ? value.length : end; }

  var apply = {
    wrap: function (tool) {
      var from = text.selectionStart, to = text.selectionEnd;
      var inner = text.value.slice(from, to) || tool.placeholder;
      var start = from + tool.before.length;
      replace(from, to, tool.before + inner + tool.after, start, start + inner.length);
    },
    // As in the live editor: the selection keeps its place in the lines' text, after the
    // new mark (on an empty line, the caret goes after it).
    lines: function (tool) {
      var value = text.value;
      var from = lineStart(value, text.selectionStart);
      var to = lineEnd(value, Math.max(text.selectionEnd, from));
      var lines = value.slice(from, to).split("\n").map(function (line) {
        var mark = LINE_MARK.exec(line);
        return { text: line, dropped: mark ? mark[0].length : 0 };
      });
      function place(at) {
        var old = from, now = from;
        for (var i = 0; i < lines.length; i++) {
          if (at <= old + lines[i].text.length || i === lines.length - 1) {
            return now + tool.text.length + Math.max(0, at - old - lines[i].dropped);
          }
          old += lines[i].text.length + 1;
          now += tool.text.length + lines[i].text.length - lines[i].dropped + 1;
        }
      }
      var insert = lines.map(function (line) { return tool.text + line.text.slice(line.dropped); }).join("\n");
      replace(from, to, insert, place(text.selectionStart), place(text.selectionEnd));
    },
    block: function (tool) {
      var value = text.value;
      var lineOf = function (at) {
        var from = lineStart(value, at), to = lineEnd(value, at);
        return { from: from, to: to, text: value.slice(from, to) };
      };
      var line = lineOf(text.selectionStart);
      var previous = line.from ? lineOf(line.from - 1) : null;
      var next = line.to < value.length ? lineOf(line.to + 1) : null;
      var where = blockInsertion(tool, line, previous, next);
      replace(where.at, where.at, where.insert, where.from, where.to);
    },
  };

  function use(key) {
    if (key === "image" && pickPictures()) return;
    apply[TOOLS[key].kind](TOOLS[key]);
  }

  var labels = JSON.parse(form.dataset.labels || "{}");
  text.parentNode.insertBefore(toolbar(form.dataset.toolbar, labels, use, text.id), text);
  text.addEventListener("keydown", function (event) {
    var key = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && SHORTCUTS[event.key.toLowerCase()];
    if (key) { event.preventDefault(); use(key); }
  });

  // A translation's editor already has the source beside the text: no preview there.
  if (form.querySelector(".translation-editor")) return;
  var preview = sidePreview(text, function () { return text.value; }, form.dataset.previewUrl, form.dataset.previewLabel);
  text.addEventListener("input", preview.changed);
})();
