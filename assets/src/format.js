// The formatting tools on CodeMirror: the tools themselves (which marks, which buttons) are
// the plain editor's, from static/js/toolbar.js (window.bottegaEditorTools, loaded first);
// here each kind of tool is one change to the editor's state (so one Ctrl+Z takes it back).
import { EditorSelection } from "@codemirror/state";

const tools = () => window.bottegaEditorTools;

function wrap(view, { before, after, placeholder }) {
  view.dispatch(view.state.changeByRange((range) => {
    const text = view.state.sliceDoc(range.from, range.to) || placeholder;
    return {
      changes: { from: range.from, to: range.to, insert: before + text + after },
      range: EditorSelection.range(range.from + before.length, range.from + before.length + text.length),
    };
  }), { scrollIntoView: true, userEvent: "input.format" });
}

// Put the mark at the start of each line of the selection, in place of another heading or
// list mark. The selection keeps its place in the lines' text, after the new mark (on an
// empty line, the caret goes after it: what is typed next is the heading or the item).
function prefixLines(view, { text: prefix }) {
  const { state } = view;
  const dropped = new Map(); // line number → length of the mark it loses
  const changes = [];
  for (const range of state.selection.ranges) {
    for (let pos = range.from; pos <= range.to;) {
      const line = state.doc.lineAt(pos);
      if (!dropped.has(line.number)) {
        const mark = tools().LINE_MARK.exec(line.text);
        dropped.set(line.number, mark ? mark[0].length : 0);
        changes.push({ from: line.from, to: line.from + dropped.get(line.number), insert: prefix });
      }
      pos = line.to + 1;
    }
  }
  const changeSet = state.changes(changes);
  const place = (pos) => {
    const line = state.doc.lineAt(pos);
    const old = dropped.get(line.number);
    if (old === undefined) return changeSet.mapPos(pos);
    return changeSet.mapPos(line.from, -1) + prefix.length + Math.max(0, pos - line.from - old);
  };
  const selection = EditorSelection.create(
    state.selection.ranges.map((range) => EditorSelection.range(place(range.anchor), place(range.head))),
    state.selection.mainIndex,
  );
  view.dispatch({ changes: changeSet, selection, scrollIntoView: true, userEvent: "input.format" });
}

function insertBlock(view, tool) {
  const { doc } = view.state;
  const line = doc.lineAt(view.state.selection.main.from);
  const previous = line.number > 1 ? doc.line(line.number - 1) : null;
  const next = line.number < doc.lines ? doc.line(line.number + 1) : null;
  const { at, insert, from, to } = tools().blockInsertion(tool, line, previous, next);
  view.dispatch({
    changes: { from: at, insert }, selection: { anchor: from, head: to }, scrollIntoView: true, userEvent: "input.format",
  });
}

const APPLY = { wrap, lines: prefixLines, block: insertBlock };

// Return the command of a tool, as CodeMirror runs it (true: handled).
function command(key) {
  return (view) => {
    if (view.state.readOnly) return false;
    const tool = tools().TOOLS[key];
    APPLY[tool.kind](view, tool);
    view.focus();
    return true;
  };
}

export const formatKeymap = Object.entries(tools().SHORTCUTS).map(
  ([letter, key]) => ({ key: "Mod-" + letter, run: command(key), preventDefault: true }),
);

export function toolbar(view, labels, name) {
  return tools().toolbar(name, labels, (key) => {
    if (key === "image") {
      if (view.state.readOnly) return; // nothing to add to: do nothing
      if (tools().pickPictures()) return;
    }
    command(key)(view);
  });
}
