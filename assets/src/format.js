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

function prefixLines(view, { text: prefix }) {
  const changes = [];
  const seen = new Set();
  for (const range of view.state.selection.ranges) {
    for (let pos = range.from; pos <= range.to;) {
      const line = view.state.doc.lineAt(pos);
      if (!seen.has(line.number)) {
        seen.add(line.number);
        changes.push({ from: line.from, to: line.to, insert: prefix + line.text.replace(tools().LINE_MARK, "") });
      }
      pos = line.to + 1;
    }
  }
  view.dispatch({ changes, userEvent: "input.format" });
}

function insertBlock(view, { text: block }) {
  const { doc } = view.state;
  const line = doc.lineAt(view.state.selection.main.from);
  const previous = line.number > 1 ? doc.line(line.number - 1) : null;
  const { at, insert, caret } = tools().blockInsertion(block, line, previous);
  view.dispatch({ changes: { from: at, insert }, selection: { anchor: caret }, userEvent: "input.format" });
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
