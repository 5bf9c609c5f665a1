// Streams a model's answer into a page: POSTs JSON (with the session's CSRF token) and reads the
// server-sent events that come back. Events carry JSON; "error" ends a stream with an error answer.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  // Shows an error answer ({message, fields}) where htmx shows its errors.
  function showError(answer) {
    var box = document.getElementById("messages");
    var alert = document.createElement("div");
    alert.className = "alert error";
    alert.setAttribute("role", "alert");
    alert.dataset.testid = "error";
    var text = document.createElement("p");
    text.textContent = answer.message || "";
    alert.appendChild(text);
    var fields = answer.fields || {};
    var names = Object.keys(fields);
    if (names.length) {
      var list = document.createElement("ul");
      names.forEach(function (name) {
        var item = document.createElement("li");
        var label = document.createElement("strong");
        label.textContent = name;
        item.appendChild(label);
        item.appendChild(document.createTextNode(": " + fields[name]));
        list.appendChild(item);
      });
      alert.appendChild(list);
    }
    box.replaceChildren(alert);
  }

  function clearErrors() {
    document.getElementById("messages").replaceChildren();
  }

  function dispatch(block, handlers) {
    var name = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) {
        name = line.slice(6).trim();
      } else if (line.indexOf("data:") === 0) {
        data.push(line.slice(5).replace(/^ /, ""));
      }
    });
    if (!data.length) {
      return;
    }
    var payload = JSON.parse(data.join("\n"));
    if (name === "error") {
      (handlers.error || showError)(payload);
    } else if (handlers[name]) {
      handlers[name](payload);
    }
  }

  // POSTs body to url and calls handlers[event](payload) for each event; answers whether it ended well.
  async function post(url, body, handlers, offlineMessage) {
    var response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": csrfToken()},
        body: JSON.stringify(body),
      });
    } catch (error) {
      (handlers.error || showError)({message: offlineMessage});
      return false;
    }
    if (!response.ok) {
      if (response.status === 401) {
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
        return false;
      }
      var answer;
      try {
        answer = await response.json();
      } catch (error) {
        answer = {message: offlineMessage};
      }
      (handlers.error || showError)(answer);
      return false;
    }

    var failed = false;
    var wrapped = Object.assign({}, handlers, {
      error: function (payload) {
        failed = true;
        (handlers.error || showError)(payload);
      },
    });
    var reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) {
        break;
      }
      buffer = (buffer + chunk.value).replace(/\r\n/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        dispatch(buffer.slice(0, end), wrapped);
        buffer = buffer.slice(end + 2);
      }
    }
    if (buffer.trim()) {
      dispatch(buffer, wrapped);
    }
    return !failed;
  }

  window.RenumStream = {post: post, showError: showError, clearErrors: clearErrors};
})();
