// The live editor: CodeMirror 6 bound to a Yjs document shared over a WebSocket with
// everyone editing the page (templates/live/_editor.html gives the hooks). Progressive:
// the textarea stays the editor until the first sync, and receives the text before every
// submit, so Save, Preview, Show changes and the conflict screen work as without it.
import * as Y from "yjs";
import * as decoding from "lib0/decoding";
import { WebsocketProvider } from "y-websocket";
import { yCollab, ySyncAnnotation, yUndoManagerKeymap } from "y-codemirror.next";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, keymap, drawSelection } from "@codemirror/view";
import { defaultKeymap } from "@codemirror/commands";
import { markdown } from "@codemirror/lang-markdown";
import { syntaxHighlighting } from "@codemirror/language";
import { toolbar, formatKeymap } from "./format.js";
import { completion } from "./complete.js";
import { livePreview } from "./preview.js";
import { editorColors, markdownHighlight } from "./theme.js";

const EVENT = 20; // Bottega's own messages (wiki/core/ymessages.py)
const REFUSED = 4403;
const COLORS = ["#b3261e", "#1f6f43", "#1d4ed8", "#8a4b08", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f"];

function colorOf(name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return COLORS[hash % COLORS.length];
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

function listNames(names, and) {
  if (names.length < 2) return names.join("");
  return names.slice(0, -1).join(", ") + " " + and + " " + names[names.length - 1];
}

function hasFiles(transfer) {
  return !!(transfer && transfer.files && transfer.files.length);
}

function start() {
  const hook = document.getElementById("live-editor");
  const form = document.getElementById("editor-form");
  if (!hook || !form || !window.WebSocket) return;
  const textarea = form.querySelector("textarea[name=text]");
  const people = form.querySelector(".live-people");
  const status = form.querySelector(".live-status");
  const label = form.querySelector("label[for=editor-text]");
  const draftNotice = form.querySelector(".live-draft");
  const t = hook.dataset;
  const me = t.username;
  const loadedText = textarea.value; // the saved text, or what a Preview sent

  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("content");
  // One-line fields beside the text (wiki/live/store.py): the edit summary, shared by
  // everyone here, as they save one revision together; the last one to type it wins.
  const meta = ydoc.getMap("meta");
  const summary = form.querySelector("input[name=summary]");
  // url_for gives a WebSocket rule's URL absolute (ws://…): keep its path, and take the
  // scheme from the page itself (behind an HTTPS proxy the server may think it is http).
  const path = new URL(t.url, location.href).pathname;
  const server = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
    path.slice(0, path.lastIndexOf("/"));
  const provider = new WebsocketProvider(server, path.slice(path.lastIndexOf("/") + 1), ydoc, {
    disableBc: true, maxBackoffTime: 2500,
  });
  provider.awareness.setLocalStateField("user", { name: me, color: colorOf(me), colorLight: colorOf(me) + "33" });

  let view = null;
  let everConnected = false;
  let typedBefore = false;
  const readOnly = new Compartment();

  // Typing in the textarea before the live text arrived: stay classic, never overwrite it.
  textarea.addEventListener("input", () => { if (!view) { typedBefore = true; giveUp(); } });
  let summaryTyped = false;
  let typingUntil = 0;
  let showLater = null;
  if (summary) {
    summary.addEventListener("input", () => {
      summaryTyped = true;
      typingUntil = Date.now() + 1500;
      if (view) meta.set("summary", summary.value);
    });
  }

  // Show the summary kept in the document, but never under the fingers of someone typing it.
  function showSummary() {
    const kept = meta.get("summary");
    const value = typeof kept === "string" ? kept.slice(0, summary.maxLength > 0 ? summary.maxLength : undefined) : "";
    if (summary.value === value) return;
    const wait = typingUntil - Date.now();
    if (document.activeElement === summary && wait > 0) {
      clearTimeout(showLater);
      showLater = setTimeout(showSummary, wait);
      return;
    }
    summary.value = value;
  }

  function shareSummary() {
    if (!summary) return;
    // Typed before the live text arrived: keep it and share it; else show what is kept.
    if (summaryTyped && summary.value !== (meta.get("summary") || "")) meta.set("summary", summary.value);
    else showSummary();
    meta.observe((event) => { if (!event.transaction.local) showSummary(); });
    const label = form.querySelector("label[for=editor-summary]");
    if (label && t.summaryShared) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = " " + t.summaryShared;
      label.append(hint);
    }
  }

  function giveUp() {
    provider.destroy();
    const flag = form.querySelector("input[name=live]");
    if (flag) flag.remove();
  }

  function say(message) {
    status.hidden = !message;
    status.textContent = message || "";
  }

  provider.messageHandlers[EVENT] = (_encoder, decoder) => {
    onEvent(JSON.parse(decoding.readVarString(decoder)));
  };

  function onEvent(data) {
    if (data.type === "saved") {
      setBase(data.revision);
      const template = data.merged ? t.merged : t.saved;
      say(fill(template, { name: data.by || "?", revision: data.revision }));
      if (!data.merged) forgetChanges();
    } else if (data.type === "readonly") {
      makeReadOnly(data.reason);
    } else if (data.type === "draft") {
      // Sent on each (re)connection: who changed the draft since its last save.
      data.by.forEach((name) => authors.add(name));
      if (!draftNews) {
        draftNews = data;
        changed = !!data.unsaved;
        showDraft();
      }
    } else if (data.type === "typing") {
      authors.add(data.by);
    } else if (data.type === "discarded") {
      setBase(data.revision);
      forgetChanges();
      if (data.blocked) { if (data.by !== me) say(fill(t.setAside, { name: data.by })); }
      else if (data.by !== me) say(fill(t.discarded, { name: data.by }));
    }
  }

  function setBase(revision) {
    const base = form.querySelector("input[name=base_revision]");
    if (base) base.value = String(revision);
  }

  // Who changed the shared draft since it was last saved (names), and whether it changed.
  const authors = new Set();
  let changed = false;
  let draftNews = null;
  let lastTyped = 0;

  function forgetChanges() {
    authors.clear();
    changed = false;
    if (draftNotice) draftNotice.hidden = true;
    showVouching(false);
  }

  // A reviewer's "publish their changes with my edit": offered, and sent, only while
  // others' typing is in the draft (a hidden box would still be sent with the form).
  function showVouching(others) {
    const label = draftNotice && draftNotice.querySelector(".live-publish-theirs");
    if (!label) return;
    label.hidden = !others;
    if (!others) label.querySelector("input").checked = false;
  }

  function namesWithYou(names) {
    const others = names.filter((name) => name !== me).sort();
    return listNames(names.includes(me) ? [...others, t.you] : others, t.and);
  }

  // Unsaved changes someone left in the draft: whose, since when, and a way to drop them.
  function showDraft() {
    if (!view || !draftNews || !draftNotice || !draftNews.unsaved) return;
    const by = draftNews.by;
    retitleChanges(by);
    const others = by.some((name) => name !== me);
    if (!others && by.length && ytext.toString() === loadedText) return; // their own, shown
    let text;
    if (!by.length) text = fill(t.unsavedAnyone, { when: draftNews.ago });
    else if (!others) text = fill(t.unsavedYours, { when: draftNews.ago });
    else if (by.includes(me)) {
      // "by Giulia and you" is one sentence per language ("di Giulia e tue"), not a list.
      const names = listNames(by.filter((name) => name !== me).sort(), t.and);
      text = fill(t.unsavedByAndYou, { names, when: draftNews.ago });
    } else text = fill(t.unsavedBy, { names: namesWithYou(by), when: draftNews.ago });
    text += " " + (others ? t.unsavedHint : t.unsavedHintYours);
    // Someone blocked since typing: their words must not go out under another's name unread.
    const blocked = (draftNews.blocked || []).filter((name) => name !== me);
    if (blocked.length) text += " " + fill(t.blockedTypists, { names: listNames(blocked, t.and) });
    draftNotice.querySelector(".live-draft-text").textContent = text;
    showVouching(others);
    draftNotice.hidden = false;
  }

  // "Show changes" lists the shared draft's changes: not "yours" when others made some.
  function retitleChanges(by) {
    const heading = document.getElementById("changes-title");
    if (heading && !(by.length && by.every((name) => name === me))) heading.textContent = t.changesTitle;
  }

  function othersHere() {
    const names = new Set();
    provider.awareness.getStates().forEach((state, clientId) => {
      const name = state.user && state.user.name;
      if (clientId !== ydoc.clientID && name && name !== me) names.add(name);
    });
    return [...names].sort();
  }

  const dialog = form.querySelector("dialog.live-discard");
  let leaving = null; // where Cancel was going, while its question is open

  // leavingTo: Cancel's address when Cancel asked (its "no" keeps the draft and leaves).
  function ask(mine, leavingTo = null) {
    if (!dialog || !dialog.showModal) return false;
    leaving = leavingTo;
    const detail = dialog.querySelector("#live-discard-detail");
    detail.textContent = "";
    const line = (text) => { const p = document.createElement("p"); p.textContent = text; detail.append(p); };
    dialog.querySelector("#live-discard-title").textContent = mine ? t.askMine : t.askAll;
    if (mine) {
      line(t.askMineDetail);
    } else {
      line(t.askAllDetail);
      const others = [...authors].filter((name) => name !== me).sort();
      if (others.length) line(fill(t.copies, { names: listNames(others, t.and) }));
      const here = othersHere();
      if (here.length) line(fill(t.editingNow, { names: listNames(here, t.and) }));
    }
    dialog.querySelector(".live-discard-no").textContent = leaving ? t.keepLater : t.keep;
    dialog.dataset.mine = mine ? "1" : "";
    dialog.showModal();
    return true;
  }

  // The discard is its own form (a POST with the form's CSRF token): sent once what this
  // browser typed last has surely reached the server and been written (rooms write every
  // 0.25 s), so nothing typed just before is left behind in another server process.
  function discard(mine) {
    const yes = dialog.querySelector(".live-discard-yes");
    yes.disabled = true;
    const post = document.createElement("form");
    post.method = "post";
    post.action = t.discardUrl;
    post.hidden = true;
    const field = (name, value) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.append(input);
    };
    field("csrf_token", form.querySelector("input[name=csrf_token]").value);
    field("discard", mine ? "mine" : "all");
    if (leaving) field("then", "page"); // Cancel asked: discarded, it leaves as Cancel would
    document.body.append(post);
    setTimeout(() => post.submit(), Math.max(0, lastTyped + 1500 - Date.now()));
  }

  if (dialog) {
    dialog.querySelector(".live-discard-yes").addEventListener("click", () => discard(!!dialog.dataset.mine));
    dialog.querySelector(".live-discard-no").addEventListener("click", () => {
      const to = leaving;
      leaving = null;
      dialog.close();
      if (to) location.href = to; // kept for later: leave as Cancel would have
    });
  }
  if (draftNotice) {
    draftNotice.querySelector(".live-discard-ask").addEventListener("click", () => ask(false));
  }
  // Cancel leaves the text in the shared draft for the next person. With others still
  // editing here, that is co-editing: leave. Alone, ask first whether to discard the
  // draft's changes: "your" changes when they are all this person's, else everyone's
  // (naming whose), or to keep them for later.
  const cancel = form.querySelector("a.cancel");
  if (cancel) {
    cancel.addEventListener("click", (event) => {
      if (!view || refused || !changed || !authors.has(me) || othersHere().length) return;
      const mine = [...authors].every((name) => name === me);
      if (ask(mine, cancel.href)) event.preventDefault();
    });
  }

  let refused = false;
  function makeReadOnly(reason) {
    // The first word wins: the "readonly" message carries the whole reason, the close
    // that follows it a reason cut to fit its frame.
    if (refused) return;
    refused = true;
    // Retrying would only be refused again (and say the connection was lost).
    provider.disconnect();
    say(t.readonly + " " + (reason || ""));
    status.classList.add("is-error");
    if (view) {
      view.dispatch({ effects: readOnly.reconfigure([EditorState.readOnly.of(true), EditorView.editable.of(false)]) });
    }
    form.querySelectorAll("button[name=action][value=save]").forEach((b) => { b.disabled = true; });
    // Nor can pictures be added to a text that no longer takes changes.
    form.querySelectorAll("[data-upload-pick]").forEach((b) => { b.disabled = true; });
  }

  provider.on("status", ({ status: state }) => {
    if (state === "connected") {
      if (everConnected) say(t.online);
      everConnected = true;
    } else if (state === "disconnected" && everConnected && view && !refused) {
      say(t.offline);
    }
  });
  // A socket may outlive the network for a while (until the 30 s silence check): drop it
  // as soon as the browser knows, keep typing locally, and reconnect when it is back.
  window.addEventListener("offline", () => { if (provider.shouldConnect) provider.disconnect(); });
  window.addEventListener("online", () => { if (!refused && !provider.shouldConnect) provider.connect(); });
  provider.on("closed", (event) => {
    if (event.code === REFUSED) makeReadOnly(event.reason);
  });
  provider.on("sync", (synced) => {
    if (synced && !view && !typedBefore) build();
  });

  function showPeople() {
    const names = new Map();
    provider.awareness.getStates().forEach((state, clientId) => {
      if (clientId === ydoc.clientID || !state.user || !state.user.name) return;
      if (state.user.name !== me) names.set(state.user.name, colorOf(state.user.name));
    });
    people.textContent = "";
    people.hidden = names.size === 0;
    if (!names.size) return;
    const list = [...names.keys()].sort();
    const template = list.length === 1 ? t.editingOne : t.editingMany;
    const [before, after] = template.split("{names}");
    people.append(before);
    list.forEach((name, i) => {
      if (i) people.append(i === list.length - 1 ? " " + t.and + " " : ", ");
      const who = document.createElement("span");
      who.className = "live-person";
      who.style.setProperty("--live-color", names.get(name));
      who.textContent = name;
      people.append(who);
    });
    people.append(after || "");
  }
  provider.awareness.on("change", showPeople);

  let preview = null;
  let unsent = false;
  let submitting = false;
  // A change that would make the text larger than a page may be is refused with a message,
  // as a field's length limit would (the text could be neither saved nor shared: the server
  // closes a socket that sends too much). Changes from others are never refused.
  const maxBytes = Number(t.maxBytes) || 0;
  const encoder = new TextEncoder();
  const withinLimit = EditorState.transactionFilter.of((tr) => {
    if (!maxBytes || !tr.docChanged || tr.annotation(ySyncAnnotation) !== undefined) return tr;
    // A UTF-16 unit is at most 3 bytes of UTF-8: count exactly only near the limit.
    if (tr.newDoc.length * 3 <= maxBytes || tr.newDoc.length <= tr.startState.doc.length) return tr;
    if (encoder.encode(tr.newDoc.toString()).length <= maxBytes) return tr;
    say(t.tooLarge);
    return [];
  });
  function build() {
    // From now on the form sends the shared draft: saving it takes in everyone's typing
    // (the server credits them, and review weighs them).
    if (!form.querySelector("input[name=live]")) {
      const flag = document.createElement("input");
      Object.assign(flag, { type: "hidden", name: "live", value: "1" });
      form.append(flag);
    }
    const undoManager = new Y.UndoManager(ytext);
    const save = () => {
      const button = form.querySelector("button[name=action][value=save]");
      if (button && !button.disabled) form.requestSubmit(button);
      return true;
    };
    view = new EditorView({
      parent: textarea.parentNode,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          // Tab is left to the browser: it moves on to the summary and Save, as from any
          // field (binding it to indent trapped keyboard users in the editor).
          keymap.of([...yUndoManagerKeymap, ...formatKeymap, { key: "Mod-s", run: save, preventDefault: true },
            ...defaultKeymap]),
          drawSelection(),
          EditorView.lineWrapping,
          markdown(),
          syntaxHighlighting(markdownHighlight, { fallback: true }),
          editorColors,
          yCollab(ytext, provider.awareness, { undoManager }),
          withinLimit,
          completion(t.suggestUrl, t.peopleUrl),
          readOnly.of([]),
          EditorView.cspNonce.of(t.nonce || ""),
          // Files dropped or pasted are uploads (static/js/uploads.js), not text to read.
          EditorView.domEventHandlers({
            drop: (event) => hasFiles(event.dataTransfer),
            paste: (event) => hasFiles(event.clipboardData),
          }),
          EditorView.contentAttributes.of({ "aria-label": t.label, "aria-multiline": "true", spellcheck: "true" }),
          // Given as an attribute CodeMirror keeps: a class added to view.dom by hand is
          // dropped at its first update (the wiki's focus ring and sizes went with it).
          EditorView.editorAttributes.of({ class: "live-editor" }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            textarea.value = update.state.doc.toString();
            if (preview) preview.changed();
          }),
        ],
      }),
    });
    textarea.value = ytext.toString();
    textarea.parentNode.insertBefore(view.dom, textarea);
    textarea.hidden = true;
    textarea.style.display = "none";
    if (label) {
      label.removeAttribute("for");
      label.addEventListener("click", () => view.focus());
    }
    const bar = toolbar(view, JSON.parse(t.labels), t.toolbar);
    view.dom.parentNode.insertBefore(bar, view.dom);
    // Who is here and what happened: above the text, where the eye is.
    bar.parentNode.insertBefore(people, bar);
    bar.parentNode.insertBefore(status, bar);
    if (draftNotice) bar.parentNode.insertBefore(draftNotice, bar);
    // The draft may hold typing nobody saved yet (someone closed the tab): say whose.
    showDraft();
    ytext.observe((event) => {
      if (!event.transaction.local) return;
      changed = true;
      lastTyped = Date.now();
      authors.add(me);
      if (!provider.wsconnected) unsent = true;
    });
    // Typing made offline lives only in this tab until the connection is back: say so
    // before the tab closes, and keep Save from leaving for a page the browser cannot load.
    provider.on("sync", (synced) => { if (synced) unsent = false; });
    window.addEventListener("beforeunload", (event) => {
      if (unsent && !submitting) { event.preventDefault(); event.returnValue = ""; }
    });
    preview = livePreview(view, hook);
    shareSummary();
    form.dataset.live = "on";
    form.addEventListener("submit", (event) => {
      if (!navigator.onLine) {
        event.preventDefault();
        say(t.offlineSave);
        return;
      }
      submitting = true;
      textarea.value = view.state.doc.toString();
    });
    // select: [from, to] within the Markdown to select (a picture's description), else
    // the caret goes after it.
    const insert = (markdown, select) => {
      if (refused) return; // read-only: nothing goes into the text
      const { from, to } = view.state.selection.main;
      const before = view.state.sliceDoc(Math.max(0, from - 1), from);
      const after = view.state.sliceDoc(to, to + 1);
      const lead = before && !/\s/.test(before) ? "\n" : "";
      const tail = after && !/\s/.test(after) ? "\n" : "";
      const text = lead + markdown + tail;
      const at = from + lead.length;
      const selection = select ? { anchor: at + select[0], head: at + select[1] } : { anchor: at + markdown.length };
      view.dispatch({ changes: { from, to, insert: text }, selection, scrollIntoView: true });
      view.focus();
    };
    window.bottegaLiveEditor = { view, ydoc, provider, insert, isReadOnly: () => refused };
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
