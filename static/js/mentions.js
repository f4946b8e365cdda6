/* "@name" completion for comment boxes: a <textarea data-mention-url="/people/suggest">
 * offers the account names that begin with what follows an "@", as the live editor does
 * (assets/src/complete.js). The textarea is a combobox for assistive technology: ArrowUp and
 * ArrowDown move through the names, Enter or Tab picks one, Escape closes the list.
 * Boxes added later (the inline reply form of talk.js) work too: everything is delegated.
 * Without this file the boxes are plain textareas; no inline script or style (strict CSP).
 */
(function () {
  "use strict";
  if (!window.fetch) return;

  var DELAY = 150;
  // What follows "@" up to the caret; as wiki/talk/mentions.py, not after a letter, digit,
  // "_" or "@" (me@example.com is no mention).
  var FRAGMENT = /(^|[^\p{L}\p{N}_@])@([\p{L}\p{N}_.-]*)$/u;
  var counter = 0;
  var state = null; // the box being completed: {box, list, from, names, active, asked, timer, generation}

  function translated(name, fallback) {
    var holder = document.querySelector("meta[name=js-messages]");
    try { return JSON.parse(holder.content)[name] || fallback; } catch (e) { return fallback; }
  }

  function isBox(element) {
    return element && element.tagName === "TEXTAREA" && element.hasAttribute("data-mention-url");
  }

  // The textarea becomes a combobox with its list right after it.
  function prepare(box) {
    if (box.getAttribute("aria-autocomplete")) return box._mentionList;
    var list = document.createElement("ul");
    list.id = "mention-list-" + ++counter;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", translated("mention-list", "People to mention"));
    list.hidden = true;
    box.insertAdjacentElement("afterend", list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);
    box._mentionList = list;
    // A click on a name must not take the focus (and the caret) away from the box.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option && state && state.list === list && option.hasAttribute("data-name")) {
        pick(option.getAttribute("data-name"));
      }
    });
    return list;
  }

  function stateFor(box) {
    var list = prepare(box);
    if (!state || state.box !== box) {
      close();
      state = { box: box, list: list, from: -1, names: [], active: -1, asked: "", timer: null, generation: 0 };
    }
    return state;
  }

  function close() {
    if (!state) return;
    window.clearTimeout(state.timer);
    state.generation++; // an answer still on its way is for a list no longer shown
    state.asked = "";
    state.names = [];
    state.active = -1;
    state.list.hidden = true;
    state.list.replaceChildren();
    state.box.setAttribute("aria-expanded", "false");
    state.box.removeAttribute("aria-activedescendant");
  }

  // The "@fragment" just before the caret, or null.
  function fragment(box) {
    if (box.selectionStart !== box.selectionEnd) return null;
    var before = box.value.slice(0, box.selectionStart);
    var match = FRAGMENT.exec(before);
    if (!match) return null;
    return { from: before.length - match[2].length, typed: match[2] };
  }

  function place(s) {
    var box = s.box;
    s.list.style.top = box.offsetTop + box.offsetHeight + "px";
    s.list.style.left = box.offsetLeft + "px";
    s.list.style.minWidth = Math.min(box.offsetWidth, 240) + "px";
  }

  function show(s, names) {
    s.names = names;
    s.active = names.length ? 0 : -1;
    var options = names.map(function (name, index) {
      var option = document.createElement("li");
      option.id = s.list.id + "-" + index;
      option.className = "mention-option";
      option.setAttribute("role", "option");
      option.setAttribute("data-name", name);
      option.textContent = "@" + name;
      return option;
    });
    if (!names.length) {
      var none = document.createElement("li");
      none.className = "mention-none";
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.textContent = translated("mention-none", "No one matches");
      options.push(none);
    }
    s.list.replaceChildren.apply(s.list, options);
    place(s);
    s.list.hidden = false;
    s.box.setAttribute("aria-expanded", "true");
    highlight(s);
  }

  function highlight(s) {
    var options = s.list.querySelectorAll(".mention-option");
    options.forEach(function (option, index) {
      option.setAttribute("aria-selected", index === s.active ? "true" : "false");
    });
    if (s.active >= 0) {
      s.box.setAttribute("aria-activedescendant", options[s.active].id);
      options[s.active].scrollIntoView({ block: "nearest" });
    } else {
      s.box.removeAttribute("aria-activedescendant");
    }
  }

  function ask(s, typed) {
    var generation = ++s.generation;
    var url = s.box.getAttribute("data-mention-url");
    fetch(url + "?q=" + encodeURIComponent(typed), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (names) {
      // Only the newest question's answer counts; the box may have moved on meanwhile.
      if (state !== s || generation !== s.generation || !Array.isArray(names)) return;
      var now = fragment(s.box);
      if (!now || now.typed !== typed) return;
      show(s, names.filter(function (name) { return typeof name === "string"; }));
    }).catch(function () {
      // Offline or refused: no list, the typing goes on.
    });
  }

  function update(box) {
    var s = stateFor(box);
    var found = fragment(box);
    if (!found || !found.typed) {
      close();
      return;
    }
    s.from = found.from;
    if (found.typed === s.asked) return;
    s.asked = found.typed;
    window.clearTimeout(s.timer);
    s.timer = window.setTimeout(function () { ask(s, found.typed); }, DELAY);
  }

  function pick(name) {
    var s = state;
    var box = s.box;
    var to = box.selectionStart;
    var after = box.value.slice(to);
    var insert = name + (/^\s/.test(after) ? "" : " ");
    box.setRangeText(insert, s.from, to, "end");
    close();
    box.focus();
  }

  // The boxes on the page now (the script is deferred: the document is parsed); later ones
  // (an inline reply form) on their first focus.
  document.querySelectorAll("textarea[data-mention-url]").forEach(prepare);
  document.addEventListener("focusin", function (event) {
    if (isBox(event.target)) prepare(event.target);
  });

  document.addEventListener("input", function (event) {
    if (isBox(event.target)) update(event.target);
  });

  document.addEventListener("keydown", function (event) {
    if (!state || event.target !== state.box || state.list.hidden || event.isComposing) return;
    var s = state;
    var count = s.names.length;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      s.active = (s.active + 1) % count;
      highlight(s);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      s.active = (s.active - 1 + count) % count;
      highlight(s);
    } else if ((event.key === "Enter" || event.key === "Tab") && s.active >= 0 && !event.shiftKey) {
      event.preventDefault();
      pick(s.names[s.active]);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") {
      window.setTimeout(function () { if (state === s) update(s.box); }, 0);
    }
  });

  document.addEventListener("focusout", function (event) {
    if (state && event.target === state.box) close();
  });

  document.addEventListener("click", function (event) {
    if (state && event.target === state.box) update(state.box);
  });
})();
