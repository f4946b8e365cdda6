// The formatting toolbar and its shortcuts: Markdown marks around the selection, or line
// prefixes, as one change (so one Ctrl+Z takes it back).
import { EditorSelection } from "@codemirror/state";

function wrap(before, after, placeholder) {
  return (view) => {
    if (view.state.readOnly) return false;
    view.dispatch(view.state.changeByRange((range) => {
      const text = view.state.sliceDoc(range.from, range.to) || placeholder;
      const insert = before + text + after;
      return {
        changes: { from: range.from, to: range.to, insert },
        range: EditorSelection.range(range.from + before.length, range.from + before.length + text.length),
      };
    }), { scrollIntoView: true, userEvent: "input.format" });
    view.focus();
    return true;
  };
}

function prefixLines(prefix) {
  return (view) => {
    if (view.state.readOnly) return false;
    const changes = [];
    const seen = new Set();
    for (const range of view.state.selection.ranges) {
      for (let pos = range.from; pos <= range.to;) {
        const line = view.state.doc.lineAt(pos);
        if (!seen.has(line.number)) {
          seen.add(line.number);
          const bare = line.text.replace(/^(#{1,6} |- )/, "");
          changes.push({ from: line.from, to: line.to, insert: prefix + bare });
        }
        pos = line.to + 1;
      }
    }
    view.dispatch({ changes, userEvent: "input.format" });
    view.focus();
    return true;
  };
}

function insertBlock(block) {
  return (view) => {
    if (view.state.readOnly) return false;
    const { from } = view.state.selection.main;
    const line = view.state.doc.lineAt(from);
    const lead = line.text ? "\n\n" : "";
    const at = line.text ? line.to : line.from;
    view.dispatch({
      changes: { from: at, insert: lead + block + "\n" },
      selection: { anchor: at + lead.length + block.length },
      userEvent: "input.format",
    });
    view.focus();
    return true;
  };
}

export const commands = {
  h2: prefixLines("## "),
  h3: prefixLines("### "),
  bold: wrap("**", "**", "bold"),
  italic: wrap("_", "_", "italic"),
  link: wrap("[", "](https://)", "text"),
  wikilink: wrap("[[", "]]", "Page"),
  list: prefixLines("- "),
  table: insertBlock("| Column | Column |\n| --- | --- |\n| | |"),
  image: wrap("![", "](File:name.png)", "description"),
};

const SHOWN = { h2: "H2", h3: "H3", bold: "B", italic: "I", link: "[ ](…)", wikilink: "[[ ]]", list: "•", table: "▦", image: "![ ]" };

export const formatKeymap = [
  { key: "Mod-b", run: commands.bold, preventDefault: true },
  { key: "Mod-i", run: commands.italic, preventDefault: true },
  { key: "Mod-k", run: commands.link, preventDefault: true },
];

// Where uploads are possible, static/js/uploads.js shows a button that picks files from the
// device and uploads them as dropped ones: the image tool uses it, so a picture is added, not a
// placeholder to fill in by hand. Without it (no right to upload) the tool inserts the Markdown.
function pickPictures(view) {
  if (view.state.readOnly) return true; // nothing to add to: do nothing
  const pick = document.querySelector("[data-upload-pick]");
  if (!pick || pick.hidden || pick.disabled) return false;
  pick.click();
  return true;
}

export function toolbar(view, labels, name) {
  const bar = document.createElement("div");
  bar.className = "live-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", name);
  for (const [key, command] of Object.entries(commands)) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "live-tool live-tool-" + key;
    button.textContent = SHOWN[key];
    button.title = labels[key] || key;
    button.setAttribute("aria-label", labels[key] || key);
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => (key === "image" && pickPictures(view)) || command(view));
    bar.append(button);
  }
  return bar;
}
