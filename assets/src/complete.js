// Completion while typing: after "[[", page titles from the search box's suggestions
// (/search/suggest); after "@", account names (/people/suggest), as talk pages mention them.
import { autocompletion } from "@codemirror/autocomplete";

// The servers answer at most this many; a shorter list is complete, so typing on only
// narrows it, while a full one is asked for again with the longer prefix.
const LIMIT = 8;
const NAME = /^[\p{L}\p{N}_.-]*$/u;

async function ask(url, typed) {
  try {
    const response = await fetch(url + "?q=" + encodeURIComponent(typed), {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    return response.ok ? await response.json() : null;
  } catch (_error) {
    return null; // offline: no suggestions, typing goes on
  }
}

function pageSource(url) {
  return async function titles(context) {
    const match = context.matchBefore(/\[\[[^\]\[\n|#]*/);
    if (!match || !url) return null;
    const typed = match.text.slice(2);
    if (!typed && !context.explicit) return null;
    const found = await ask(url, typed || "a");
    if (!found) return null;
    return {
      from: match.from + 2,
      options: found.map((title) => ({
        label: title,
        type: "text",
        apply: (view, _completion, from, to) => {
          const closed = view.state.sliceDoc(to, to + 2) === "]]";
          const insert = title + (closed ? "" : "]]");
          view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + title.length + 2 } });
        },
      })),
      validFor: found.length < LIMIT ? /^[^\]\[\n|#]*$/ : undefined,
    };
  };
}

function personSource(url) {
  return async function names(context) {
    const match = context.matchBefore(/@[\p{L}\p{N}_.-]*/u);
    if (!match || !url) return null;
    // As in wiki/talk/mentions.py: not after a letter, digit or "@" (me@example.com).
    const before = context.state.sliceDoc(Math.max(0, match.from - 1), match.from);
    if (/[\p{L}\p{N}_@]/u.test(before)) return null;
    const typed = match.text.slice(1);
    if (!typed) return null;
    const found = await ask(url, typed);
    if (!found) return null;
    return {
      from: match.from + 1,
      options: found.map((name) => ({
        label: name,
        type: "variable",
        apply: (view, _completion, from, to) => {
          const spaced = /^\s/.test(view.state.sliceDoc(to, to + 1));
          const insert = name + (spaced ? "" : " ");
          view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + insert.length } });
        },
      })),
      validFor: found.length < LIMIT ? NAME : undefined,
    };
  };
}

export function completion(pagesUrl, peopleUrl) {
  return autocompletion({ override: [pageSource(pagesUrl), personSource(peopleUrl)], activateOnTyping: true });
}
