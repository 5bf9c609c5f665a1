// The assistant's page: a message is sent to the streaming route and the reply is written into the
// chat as it arrives; the conversation's id is kept so the next message continues it.
(function () {
  "use strict";

  function bubble(role, text) {
    var message = document.createElement("div");
    message.className = "message " + role;
    message.dataset.role = role;
    message.dataset.testid = "message";
    var paragraph = document.createElement("p");
    paragraph.className = "message-text";
    paragraph.textContent = text;
    message.appendChild(paragraph);
    return message;
  }

  async function send(form) {
    var input = form.querySelector('[name="message"]');
    var conversation = form.querySelector('[name="conversation_id"]');
    var button = form.querySelector('[type="submit"]');
    var log = document.getElementById("chat-log");
    var text = input.value.trim();
    if (!text) {
      return;
    }

    RenumStream.clearErrors();
    var empty = log.querySelector("[data-empty]");
    if (empty) {
      empty.remove();
    }
    var question = bubble("user", text);
    var answer = bubble("assistant", "");
    answer.classList.add("streaming");
    log.append(question, answer);
    input.value = "";
    button.disabled = true;

    var body = {message: text};
    if (conversation.value) {
      body.conversation_id = conversation.value;
    }
    var ok = await RenumStream.post(
      form.dataset.action,
      body,
      {
        delta: function (payload) {
          answer.querySelector(".message-text").textContent += payload.text;
          log.scrollTop = log.scrollHeight;
        },
        reply: function (payload) {
          answer.insertAdjacentHTML("afterend", payload.html);
          answer.remove();
          conversation.value = payload.conversation_id;
          window.history.replaceState(null, "", "/assistant/" + payload.conversation_id);
          htmx.trigger(document.body, "conversation-changed");
        },
      },
      form.dataset.offline
    );
    if (!ok) {
      question.remove();
      answer.remove();
      input.value = text;
    }
    button.disabled = false;
    input.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("chat-form");
    if (!form) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form);
    });
    form.querySelector('[name="message"]').addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        send(form);
      }
    });
    // Deleting the open conversation leaves the page on a new one.
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var item = event.detail.elt.closest("[data-conversation-id]");
      var open = form.querySelector('[name="conversation_id"]').value;
      if (event.detail.successful && item && item.dataset.conversationId === open) {
        window.location.assign("/assistant");
      }
    });
  });
})();
