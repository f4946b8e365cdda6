// The live preview beside the text on wide screens: the plain editor's (static/js/
// toolbar.js), given CodeMirror's element and text.
export function livePreview(view, hook) {
  return window.bottegaEditorTools.sidePreview(
    view.dom, () => view.state.doc.toString(), hook.dataset.previewUrl, hook.dataset.previewLabel,
  );
}
