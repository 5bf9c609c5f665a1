// ScriptAI's pages: the brief form streams a new script into the page, the editor's estimate follows
// the creator's edits, and htmx buttons read the editor through RenumScript to send the script as JSON.
(function () {
  "use strict";

  var WORD = /[\p{L}\p{N}_](?:[\p{L}\p{N}_'’-]|[.,]\p{N})*/gu;

  function editor() {
    return document.getElementById("editor");
  }

  function field(root, name) {
    var element = root.querySelector('[data-field="' + name + '"]');
    return element ? element.value : "";
  }

  // The editor's script, in the shape the API takes.
  function collect(root) {
    var sections = Array.prototype.map.call(root.querySelectorAll("[data-section]"), function (part) {
      return {heading: field(part, "heading"), text: field(part, "text")};
    });
    return {
      title: field(root, "title"),
      hook: field(root, "hook"),
      sections: sections,
      call_to_action: field(root, "call_to_action"),
      hashtags: field(root, "hashtags").split(/\s+/).filter(Boolean),
      topic: root.dataset.topic || "",
      platform: root.dataset.platform || "",
      language: root.dataset.language || "",
      tone: root.dataset.tone || "",
      audience: root.dataset.audience || "",
      duration_seconds: Number(root.dataset.target),
    };
  }

  function withDraft(root, body) {
    if (root.dataset.draftId) {
      body.draft_id = root.dataset.draftId;
      body.version = Number(root.dataset.version);
    }
    return body;
  }

  window.RenumScript = {
    // The body of a save: the script and, for a saved draft, the version this copy is.
    save: function () {
      var root = editor();
      var body = {script: collect(root)};
      if (root.dataset.version) {
        body.version = Number(root.dataset.version);
      }
      return body;
    },
    // The body of a regeneration of part `section` (null: the whole script), with the instruction beside the button.
    revision: function (button, section) {
      var root = editor();
      var instruction = button.parentElement.querySelector("[data-instruction]");
      var body = withDraft(root, {script: collect(root), instruction: instruction ? instruction.value : ""});
      if (section !== null) {
        body.section = section;
      }
      return body;
    },
    // The version the editor holds, so a restore over newer work is refused.
    current: function () {
      var root = editor();
      return root && root.dataset.version ? {version: Number(root.dataset.version)} : {};
    },
  };

  function words(text) {
    return (text.match(WORD) || []).length;
  }

  // Recounts the estimate as the creator types: the same rate and rule as the server's.
  function remeasure(root) {
    var rate = Number(root.dataset.wpm);
    var target = Number(root.dataset.target);
    var total = words(field(root, "hook")) + words(field(root, "call_to_action"));
    root.querySelectorAll("[data-section]").forEach(function (part) {
      var count = words(field(part, "text"));
      total += count;
      part.querySelector("[data-seconds]").textContent = Math.round((count * 60) / rate);
    });
    var estimate = (total * 60) / rate;
    root.querySelector("[data-estimate]").textContent = Math.round(estimate);
    root.querySelector("[data-words]").textContent = total;
    root.querySelector('[data-testid="duration"]').dataset.state =
      Math.abs(estimate - target) <= 0.2 * target ? "ok" : "off";
  }

  document.addEventListener("input", function (event) {
    var root = event.target.closest("#editor");
    if (root && event.target.matches('textarea[data-field]')) {
      remeasure(root);
    }
  });

  function brief(form) {
    var data = Object.fromEntries(new FormData(form).entries());
    data.duration_seconds = Number(data.duration_seconds);
    return data;
  }

  async function generate(form) {
    var button = form.querySelector('[type="submit"]');
    var stream = document.getElementById("stream");
    var text = document.getElementById("stream-text");
    var slot = document.getElementById("editor-slot");
    button.disabled = true;
    RenumStream.clearErrors();
    text.textContent = "";
    stream.hidden = false;
    await RenumStream.post(
      form.dataset.action,
      brief(form),
      {
        delta: function (payload) {
          text.textContent += payload.text;
        },
        script: function (payload) {
          slot.innerHTML = payload.html;
          htmx.process(slot);
          stream.hidden = true;
        },
      },
      form.dataset.offline
    );
    button.disabled = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("brief-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        generate(form);
      });
    }
  });
})();
