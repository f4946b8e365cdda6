// The live editor's colours, from the wiki's stylesheet (static/css/bottega.css), so they
// follow its light and dark themes: CodeMirror's own defaults are for a light page only (in
// the dark its link colour, marks, caret and selection could hardly be seen).
import { EditorView } from "@codemirror/view";
import { HighlightStyle, defaultHighlightStyle } from "@codemirror/language";

// CodeMirror's default colours, each as one of the stylesheet's --syntax-* custom properties.
const COLORS = {
  "#404740": "--syntax-mark", // marks: "#", "**", "-", "[" … (and other meta)
  "#708": "--syntax-keyword",
  "#219": "--syntax-url", // addresses, code block languages, link labels, rules
  "#164": "--syntax-literal",
  "#a11": "--syntax-string", // link titles, entities, HTML attribute values
  "#e40": "--syntax-escape",
  "#00f": "--syntax-definition",
  "#30a": "--syntax-keyword",
  "#085": "--syntax-type", // HTML tag names
  "#167": "--syntax-type",
  "#256": "--syntax-definition",
  "#00c": "--syntax-definition",
  "#940": "--syntax-comment",
  "#f00": "--syntax-invalid",
};

// CodeMirror's default highlighting (the same tags, fonts and lines), in those colours; a
// colour a later CodeMirror adds stays as it is until it is given a property here.
export const markdownHighlight = HighlightStyle.define(defaultHighlightStyle.specs.map((spec) => (
  spec.color && COLORS[spec.color] ? { ...spec, color: `var(${COLORS[spec.color]}, ${spec.color})` } : spec
)));

// The caret, the selection and the completion list in the wiki's colours.
export const editorColors = EditorView.theme({
  ".cm-content": { caretColor: "var(--text)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground": {
    backgroundColor: "var(--selection)",
  },
  ".cm-tooltip": {
    color: "var(--text)", backgroundColor: "var(--bg)", border: "1px solid var(--border-strong)",
    borderRadius: "var(--radius-sm)", boxShadow: "var(--shadow)",
  },
  ".cm-tooltip-autocomplete ul li[aria-selected]": {
    color: "var(--text)", backgroundColor: "var(--brand-soft)", outline: "1px solid var(--focus)", outlineOffset: "-1px",
  },
  ".cm-completionMatchedText": { textDecorationColor: "var(--link)" },
});
