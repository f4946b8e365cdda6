// The live preview beside the text on wide screens: the server renders (POST /live/preview,
// the same Markdown and sanitiser as a page view) a moment after typing stops.
const WIDE = "(min-width: 1100px)";
const DELAY = 1200;

export function livePreview(view, hook, form) {
  const url = hook.dataset.previewUrl;
  const token = document.querySelector("meta[name=csrf-token]");
  if (!url || !window.matchMedia) return { changed() {} };
  const pane = document.createElement("section");
  pane.className = "live-preview prose";
  pane.setAttribute("aria-label", hook.dataset.previewLabel || "Preview");
  pane.setAttribute("aria-live", "off");
  const split = document.createElement("div");
  split.className = "live-split";
  view.dom.parentNode.insertBefore(split, view.dom);
  split.append(view.dom, pane);
  const wide = window.matchMedia(WIDE);
  let timer = null;
  let shown = null;

  async function render() {
    timer = null;
    const text = view.state.doc.toString();
    if (!wide.matches || text === shown) return;
    const body = new FormData();
    body.append("text", text);
    try {
      const response = await fetch(url, {
        method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.content : "" },
      });
      const data = await response.json();
      if (data.html !== undefined) {
        pane.innerHTML = data.html; // sanitised by the server, as on every page view
        // Read, not used: Tab goes on from the text to the summary and Save, not through
        // every link and heading anchor of the preview.
        pane.querySelectorAll("a[href], button, input, select, textarea, iframe, summary, [tabindex]")
          .forEach((element) => element.setAttribute("tabindex", "-1"));
        shown = text;
      } else if (data.error || data.detail) {
        pane.textContent = data.error || data.detail;
      }
    } catch (_error) { /* offline: the next pause tries again */ }
  }

  function changed() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(render, DELAY);
  }
  wide.addEventListener("change", changed);
  changed();
  return { changed };
}
