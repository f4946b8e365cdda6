/* Page sharing and video embeds, progressively enhanced: without this file the share
 * links, the page address and the video links all still work.
 *
 * - "Copy link" copies the page's address (the button is hidden until this script runs).
 * - A video embed (div.embed, made by the renderer from a line holding a YouTube or Vimeo
 *   link) gets a play button; only a click puts the frame in, so nothing loads from the
 *   video host before the reader asks. Frames come only from the hosts the CSP allows.
 * No inline scripts, styles or handlers: the page can run under a strict CSP.
 */
(function () {
  "use strict";

  var FRAME_PREFIXES = [
    "https://www.youtube-nocookie.com/embed/",
    "https://player.vimeo.com/video/"
  ];
  var HOSTS = { youtube: "youtube-nocookie.com", vimeo: "player.vimeo.com" };
  var section = document.querySelector("section.share");

  function say(text) {
    var status = section && section.querySelector(".share-status");
    if (status) {
      status.textContent = text;
    }
  }

  function setUpCopy() {
    var button = section && section.querySelector(".share-copy");
    if (!button || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(
        function () {
          say(button.getAttribute("data-copied"));
          button.classList.add("copied");
        },
        function () {
          var field = section.querySelector(".share-url");
          field.focus();
          field.select();
        }
      );
    });
  }

  function allowed(src) {
    return FRAME_PREFIXES.some(function (prefix) {
      return src.indexOf(prefix) === 0;
    });
  }

  // The page's messages for scripts, in the reader's language (base.html puts them in a <meta>).
  function translated(name, fallback) {
    var holder = document.querySelector("meta[name=js-messages]");
    try { return JSON.parse(holder.content)[name] || fallback; } catch (e) { return fallback; }
  }

  function label(provider) {
    var template = section ? section.getAttribute("data-embed-label") : "";
    if (!template) return translated("video-consent", "Play the video (it loads from %(host)s)").replace("%(host)s", HOSTS[provider]);
    return template.replace("HOST", HOSTS[provider]);
  }

  function play(box) {
    var src = box.getAttribute("data-embed");
    var frame = document.createElement("iframe");
    var joiner = src.indexOf("?") === -1 ? "?" : "&";
    frame.src = src + joiner + "autoplay=1";
    frame.title = box.querySelector(".embed-link").textContent;
    frame.setAttribute("allow", "autoplay; fullscreen; picture-in-picture; encrypted-media");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "embed-frame";
    box.classList.add("embed-playing");
    box.replaceChildren(frame);
  }

  function setUpEmbed(box) {
    var src = box.getAttribute("data-embed") || "";
    var provider = box.getAttribute("data-provider");
    if (!allowed(src) || !HOSTS[provider]) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "embed-play";
    button.textContent = label(provider);
    button.addEventListener("click", function () {
      play(box);
    });
    box.insertBefore(button, box.firstChild);
    box.classList.add("embed-ready");
  }

  setUpCopy();
  Array.prototype.forEach.call(document.querySelectorAll(".prose div.embed"), setUpEmbed);
})();
