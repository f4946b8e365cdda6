// Search-as-you-type for the top bar: fill the search box's <datalist> with page titles
// from /search/suggest. Picking a suggestion goes straight to that page. Without this
// script the search form works the same, only without suggestions.
(function () {
  "use strict";
  const input = document.getElementById("search-q");
  const list = input && document.getElementById(input.getAttribute("list"));
  const url = input && input.dataset.suggestUrl;
  if (!input || !list || !url || !window.fetch) {
    return;
  }
  let timer = null;
  let controller = null;
  let asked = "";
  let offered = [];

  async function suggest() {
    const query = input.value.trim();
    if (query === asked) {
      return;
    }
    asked = query;
    if (controller) {
      controller.abort();
    }
    if (query.length < 2) {
      list.replaceChildren();
      offered = [];
      return;
    }
    controller = new AbortController();
    try {
      const response = await fetch(url + "?q=" + encodeURIComponent(query), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        return;
      }
      offered = await response.json();
      list.replaceChildren(...offered.map((title) => new Option(title)));
    } catch (error) {
      // Aborted by a newer keystroke, or offline: the form still works.
    }
  }

  input.addEventListener("input", (event) => {
    // A suggestion picked from the list: go to that page (an exact title opens it).
    const picked = event.inputType === "insertReplacementText" || event.inputType === undefined;
    if (picked && offered.includes(input.value) && input.form) {
      input.form.requestSubmit();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
})();
