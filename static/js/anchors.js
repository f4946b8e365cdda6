// Comments on passages: select words of the page, press "Comment", write; threads sit in the
// margin (below their paragraph on a narrow screen) and their passages are highlighted.
// On /reanchor/<id> the same selection, with "Anchor here" and a confirmation, gives a
// thread another passage (the form has no comment there).
(function () {
  "use strict";
  var prose = document.getElementById("page-prose");
  if (!prose) return;
  var box = prose.parentNode;
  var button = document.getElementById("anchor-button");
  var form = document.getElementById("anchor-form");
  var CONTEXT = 32;
  var narrow = window.matchMedia("(max-width: 50em)");
  var current = null;

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
      if (narrow.matches) {
        var block = blockOf(current.range.startContainer);
        if (block) block.after(form);
      } else if (form.parentNode !== box) {
        box.appendChild(form);
      }
      box.classList.add("commenting");
      form.hidden = false;
      button.hidden = true;
      var body = document.getElementById("anchor-body");
      (body || form.querySelector("[type=submit]")).focus();
    });
    document.getElementById("anchor-cancel").addEventListener("click", function () {
      form.hidden = true;
      box.classList.remove("commenting");
    });
  }

  var aside = box.querySelector(".anchor-threads");
  var threads = aside ? Array.prototype.slice.call(aside.querySelectorAll(".anchor-thread")) : [];

  function marksOf(id) {
    return prose.querySelectorAll('mark[data-thread="' + id + '"]');
  }

  // On a narrow screen each thread follows its paragraph; on a wide one, the margin.
  function place() {
    threads.forEach(function (thread) {
      var marks = marksOf(thread.dataset.thread);
      var block = marks.length ? blockOf(marks[marks.length - 1]) : null;
      if (narrow.matches && block) {
        var after = block;
        while (after.nextElementSibling && after.nextElementSibling.classList.contains("anchor-thread")) {
          after = after.nextElementSibling;
        }
        after.after(thread);
      } else if (thread.parentNode !== aside) {
        aside.appendChild(thread);
      }
    });
  }

  function focusThread(id, on) {
    Array.prototype.forEach.call(marksOf(id), function (mark) { mark.classList.toggle("active", on); });
    var thread = document.getElementById("thread-" + id);
    if (thread) thread.classList.toggle("active", on);
  }

  prose.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-thread]");
    if (!mark || !window.getSelection().isCollapsed) return;
    threads.forEach(function (t) { focusThread(t.dataset.thread, false); });
    focusThread(mark.dataset.thread, true);
    var thread = document.getElementById("thread-" + mark.dataset.thread);
    if (thread) thread.scrollIntoView({ block: "nearest" });
  });
  threads.forEach(function (thread) {
    thread.addEventListener("mouseenter", function () { focusThread(thread.dataset.thread, true); });
    thread.addEventListener("mouseleave", function () { focusThread(thread.dataset.thread, false); });
  });
  if (prose.dataset.moving) focusThread(prose.dataset.moving, true);
  if (aside) {
    place();
    if (narrow.addEventListener) narrow.addEventListener("change", place);
  }
})();
