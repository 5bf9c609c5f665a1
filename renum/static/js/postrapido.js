// PostRápido's page: the upload with a real progress bar (XHR reports bytes sent, fetch does not),
// and the values htmx sends as JSON numbers and lists (json-enc would send the inputs as strings).
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers)["X-CSRF-Token"] : null;
  }

  function upload(form) {
    var file = form.querySelector('input[type="file"]').files[0];
    var bar = document.getElementById("upload-progress");
    var message = document.getElementById("upload-message");
    if (!file) {
      return;
    }
    var body = new FormData();
    body.append("file", file, file.name);
    var request = new XMLHttpRequest();
    request.open("POST", form.dataset.action);
    request.setRequestHeader("Accept", "application/json");
    var token = csrfToken();
    if (token) {
      request.setRequestHeader("X-CSRF-Token", token);
    }
    bar.hidden = false;
    bar.value = 0;
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        bar.value = Math.round((100 * event.loaded) / event.total);
      }
    });
    request.addEventListener("load", function () {
      var answer = {};
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = {};
      }
      if (request.status === 201) {
        window.location.assign("/postrapido?video=" + encodeURIComponent(answer.id));
        return;
      }
      bar.hidden = true;
      message.textContent = answer.message || form.dataset.failed;
    });
    request.addEventListener("error", function () {
      bar.hidden = true;
      message.textContent = form.dataset.failed;
    });
    request.send(body);
  }

  function number(form, name) {
    return Number(form.querySelector('[name="' + name + '"]').value);
  }

  window.RenumPostRapido = {
    thresholds: function (form, videoId) {
      return {
        video_id: videoId,
        threshold_db: number(form, "threshold_db"),
        min_silence: number(form, "min_silence"),
        margin: number(form, "margin"),
        min_clip: number(form, "min_clip"),
      };
    },
    render: function (form, videoId) {
      var aspect = form.querySelector('[name="aspect"]').value;
      return {
        video_id: videoId,
        cut_silences: form.querySelector('[name="cut_silences"]').checked,
        captions: form.querySelector('[name="captions"]').checked,
        aspect: aspect || null,
      };
    },
    transcript: function (button) {
      var section = button.closest("#postrapido-transcript");
      var segments = Array.prototype.map.call(section.querySelectorAll("[data-segment]"), function (item) {
        return {
          start: Number(item.dataset.start),
          end: Number(item.dataset.end),
          text: item.querySelector("input").value,
        };
      });
      return {segments: segments};
    },
  };

  document.addEventListener("submit", function (event) {
    if (event.target.id === "upload-form") {
      event.preventDefault();
      upload(event.target);
    }
  });
})();
