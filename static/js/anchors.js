// Comments on passages: select words of the page, press "Comment", write; threads sit in the
// margin (below their paragraph on a narrow screen) and their passages are highlighted.
// On /reanchor/<id> the same selection, with "Anchor here" and a confirmation, gives a
// thread another passage (the form has no comment there).
//
// On a wide screen each thread's card is placed level with its passage (its top at the
// passage's top), pushed down only as far as needed so that no two cards overlap; the form
// for a new comment opens level with the selection, and a card one clicks (or whose passage
// one clicks) is held level with its passage while the others make room. The cards keep
// the order of their passages in the document, so reading and keyboard order do not change.
// They are laid out again when the text's size changes (a resize, fonts, images loading):
// moving a card never changes the text's size, so laying out never calls for itself again.
(function () {
  "use strict";
  var prose = document.getElementById("page-prose");
  if (!prose) return;
  var box = prose.parentNode;
  var button = document.getElementById("anchor-button");
  var form = document.getElementById("anchor-form");
  var CONTEXT = 32;
  var GAP = 12; // pixels between two cards in the margin
  var narrow = window.matchMedia("(max-width: 50em)");
  var current = null;
  var aside = box.querySelector(".anchor-threads");
  var threads = aside ? Array.prototype.slice.call(aside.querySelectorAll(".anchor-thread")) : [];
  var formRange = null; // the selected words the open form is about
  var pinned = null; // the card (or the form) held level with its passage
  var chosen = null; // the thread clicked (its card or its passage), highlighted until another click

  function textBetween(startNode, startOffset, endNode, endOffset) {
    var range = document.createRange();
    range.setStart(startNode, startOffset);
    range.setEnd(endNode, endOffset);
    return range.toString();
  }

  function selection() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    var range = sel.getRangeAt(0);
    if (!prose.contains(range.commonAncestorContainer)) return null;
    var exact = range.toString();
    if (!exact.trim()) return null;
    return {
      range: range,
      exact: exact,
      prefix: textBetween(prose, 0, range.startContainer, range.startOffset).slice(-CONTEXT),
      suffix: textBetween(range.endContainer, range.endOffset, prose, prose.childNodes.length).slice(0, CONTEXT)
    };
  }

  // The block of the text (a paragraph, a list, a heading) that holds a node.
  function blockOf(node) {
    while (node && node.parentNode !== prose) node = node.parentNode;
    return node;
  }

  function marksOf(id) {
    return prose.querySelectorAll('mark[data-thread="' + id + '"]');
  }

  function firstMark(id) {
    var marks = marksOf(id);
    for (var i = 0; i < marks.length; i++) {
      if (marks[i].getClientRects().length) return marks[i];
    }
    return null;
  }

  // The margin: the threads' aside, or (a page with no thread yet) a column made for the form.
  function column() {
    if (!aside) {
      aside = document.createElement("div");
      aside.className = "anchor-threads";
      prose.after(aside);
    }
    return aside;
  }

  // Where the page's text and the margin sit side by side.
  function wide() {
    return !narrow.matches && window.getComputedStyle(box).display === "grid";
  }

  // ---- Laying out the margin --------------------------------------------------------------

  // The top of what an item of the margin is about, in the viewport (NaN: nothing shown).
  function targetOf(item) {
    if (item === form) {
      if (!formRange) return NaN;
      var rects = formRange.getClientRects();
      return rects.length ? rects[0].top : NaN;
    }
    var mark = firstMark(item.dataset.thread);
    return mark ? mark.getBoundingClientRect().top : NaN;
  }

  var frame = 0;
  function schedule() {
    if (!frame) frame = window.requestAnimationFrame(layout);
  }

  function layout() {
    if (frame) window.cancelAnimationFrame(frame);
    frame = 0;
    if (!aside) return;
    if (!wide()) {
      box.classList.remove("anchor-placed");
      aside.style.minHeight = "";
      Array.prototype.forEach.call(aside.children, function (item) { item.style.top = ""; });
      return;
    }
    box.classList.add("anchor-placed");
    var items = Array.prototype.filter.call(aside.children, function (item) {
      return !item.hidden && (item === form || item.classList.contains("anchor-thread"));
    });
    var origin = aside.getBoundingClientRect().top;
    var heights = items.map(function (item) { return item.offsetHeight; });
    var targets = items.map(function (item) { return targetOf(item) - origin; });
    var tops = [];
    // Down the margin: each item level with its passage, or just below the one before.
    function below(i) { return i ? tops[i - 1] + heights[i - 1] + GAP : 0; }
    items.forEach(function (item, i) {
      tops[i] = isNaN(targets[i]) ? below(i) : Math.max(targets[i], below(i));
    });
    var held = items.indexOf(pinned);
    if (held >= 0 && !isNaN(targets[held])) {
      // The held item sits level with its passage: those above it move up to make room,
      // those below it come as close to their passages as it lets them.
      tops[held] = Math.max(0, targets[held]);
      for (var up = held - 1; up >= 0; up--) {
        tops[up] = Math.min(tops[up], tops[up + 1] - GAP - heights[up]);
      }
      for (var i = 0; i < items.length; i++) {
        var floor = below(i);
        if (i > held) tops[i] = isNaN(targets[i]) ? floor : Math.max(targets[i], floor);
        else tops[i] = Math.max(tops[i], floor);
      }
    }
    var bottom = 0;
    items.forEach(function (item, i) {
      var top = Math.round(tops[i]) + "px";
      if (item.style.top !== top) item.style.top = top;
      bottom = Math.max(bottom, tops[i] + heights[i]);
    });
    var height = items.length ? Math.ceil(bottom) + "px" : "";
    if (aside.style.minHeight !== height) aside.style.minHeight = height;
  }

  // ---- Where the cards and the form are in the document -------------------------------------

  // Whether a thread's passage comes after a point of the text.
  function after(thread, node) {
    var mark = marksOf(thread.dataset.thread)[0];
    return !!mark && !!(node.compareDocumentPosition(mark) & Node.DOCUMENT_POSITION_FOLLOWING);
  }

  // The form follows the paragraph of the selection on a narrow screen; on a wide one it
  // takes its place among the cards, in the order of the passages.
  function placeForm() {
    if (!form || form.hidden || !formRange) return;
    var start = formRange.startContainer;
    if (narrow.matches) {
      var block = blockOf(start);
      if (block && block.nextElementSibling !== form) block.after(form);
      return;
    }
    var margin = column();
    var next = null;
    for (var i = 0; i < threads.length && !next; i++) {
      if (threads[i].parentNode === margin && after(threads[i], start)) next = threads[i];
    }
    if (form.parentNode !== margin || form.nextElementSibling !== next) margin.insertBefore(form, next);
  }

  // On a narrow screen each thread follows its paragraph; on a wide one, the margin.
  function place() {
    threads.forEach(function (thread) {
      var marks = marksOf(thread.dataset.thread);
      var block = marks.length ? blockOf(marks[marks.length - 1]) : null;
      if (narrow.matches && block) {
        var next = block;
        while (next.nextElementSibling && next.nextElementSibling.classList.contains("anchor-thread")) {
          next = next.nextElementSibling;
        }
        next.after(thread);
      } else if (!narrow.matches && thread.parentNode !== aside) {
        aside.appendChild(thread);
      }
    });
    placeForm();
    layout();
  }

  // Each card quotes the words it is about (from the highlighted passage).
  function quote(thread) {
    if (thread.classList.contains("anchor-removed") || thread.querySelector(".anchor-quote")) return;
    var text = "";
    var last = null;
    Array.prototype.forEach.call(marksOf(thread.dataset.thread), function (mark) {
      var block = blockOf(mark);
      text += (last && block !== last ? " " : "") + mark.textContent;
      last = block;
    });
    text = text.replace(/\s+/g, " ").trim();
    if (!text) return;
    var excerpt = document.createElement("blockquote");
    excerpt.className = "anchor-quote anchor-excerpt";
    excerpt.textContent = text;
    thread.insertBefore(excerpt, thread.firstChild);
  }

  // ---- A new comment ------------------------------------------------------------------------

  function showButton() {
    if (!button || !form.hidden) return;
    current = selection();
    if (!current) {
      button.hidden = true;
      return;
    }
    var rect = current.range.getBoundingClientRect();
    var outer = box.getBoundingClientRect();
    button.style.top = (rect.bottom - outer.top + 4) + "px";
    button.style.left = Math.max(0, rect.left - outer.left) + "px";
    button.hidden = false;
  }

  function closeForm() {
    form.hidden = true;
    box.classList.remove("commenting");
    formRange = null;
    if (pinned === form) pinned = null;
    layout();
  }

  if (button && form) {
    document.addEventListener("mouseup", function () { window.setTimeout(showButton, 0); });
    document.addEventListener("keyup", function () { window.setTimeout(showButton, 0); });
    document.addEventListener("selectionchange", function () {
      window.clearTimeout(showButton.timer);
      showButton.timer = window.setTimeout(showButton, 300);
    });
    // Pressing the button must not clear the selection it is about.
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      if (!current) return;
      form.elements.exact.value = current.exact;
      form.elements.prefix.value = current.prefix;
      form.elements.suffix.value = current.suffix;
      document.getElementById("anchor-form-quote").textContent = current.exact;
      formRange = current.range.cloneRange();
      box.classList.add("commenting");
      form.hidden = false;
      button.hidden = true;
      pinned = form;
      placeForm();
      layout();
      if (window.ResizeObserver && observer) observer.observe(form);
      var body = document.getElementById("anchor-body");
      (body || form.querySelector("[type=submit]")).focus();
    });
    document.getElementById("anchor-cancel").addEventListener("click", closeForm);
  }

  // ---- A thread and its passage, together ---------------------------------------------------

  function focusThread(id, on) {
    Array.prototype.forEach.call(marksOf(id), function (mark) { mark.classList.toggle("active", on); });
    var thread = document.getElementById("thread-" + id);
    if (thread) thread.classList.toggle("active", on);
  }

  // Highlight one thread and its passage (none: thread null) and hold its card level with it.
  function choose(thread) {
    if (chosen && chosen !== thread) focusThread(chosen.dataset.thread, false);
    chosen = thread;
    if (thread) focusThread(thread.dataset.thread, true);
    if (pinned !== form) pinned = thread;
    layout();
  }

  prose.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-thread]");
    if (!mark || !window.getSelection().isCollapsed) return;
    var thread = document.getElementById("thread-" + mark.dataset.thread);
    if (!thread) {
      focusThread(mark.dataset.thread, true);
      return;
    }
    choose(thread);
    thread.scrollIntoView({ block: "nearest" });
  });
  threads.forEach(function (thread) {
    var id = thread.dataset.thread;
    function rest() { focusThread(id, chosen === thread || thread.contains(document.activeElement)); }
    thread.addEventListener("mouseenter", function () { focusThread(id, true); });
    thread.addEventListener("mouseleave", rest);
    // Keyboard: reaching a card's link shows its passage too.
    thread.addEventListener("focusin", function () { focusThread(id, true); });
    thread.addEventListener("focusout", function () { window.setTimeout(rest, 0); });
    thread.addEventListener("click", function () {
      if (chosen === thread) return;
      choose(thread);
      thread.scrollIntoView({ block: "nearest" });
    });
  });
  // A click anywhere else lets go of the chosen thread.
  document.addEventListener("click", function (event) {
    if (!chosen || !event.target.closest) return;
    if (event.target.closest(".anchor-thread, mark[data-thread], #anchor-form, #anchor-button")) return;
    choose(null);
  });
  if (prose.dataset.moving) focusThread(prose.dataset.moving, true);

  threads.forEach(quote);
  var observer = null;
  if (window.ResizeObserver) {
    // The text's size changes when the window does, and when fonts and images load.
    observer = new window.ResizeObserver(schedule);
    observer.observe(prose);
    threads.forEach(function (thread) { observer.observe(thread); });
  }
  window.addEventListener("resize", schedule);
  window.addEventListener("load", schedule);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(schedule);
  if (narrow.addEventListener) narrow.addEventListener("change", place);
  if (aside) {
    place();
    // A link to a thread (#thread-12) shows it beside its passage.
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && threads.indexOf(target) >= 0) {
      choose(target);
      target.scrollIntoView({ block: "nearest" });
    }
  }
})();
