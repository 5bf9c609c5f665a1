// PostRápido's page: the upload with a real progress bar (XHR reports bytes sent, fetch does not),
// the values htmx sends as JSON numbers and lists (json-enc would send the inputs as strings), and
// the captions' live counters, which count as each platform counts (the server checks the same way).
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

  // X counts these code points once and every other one twice; a link counts 23.
  var X_LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var URL = /https?:\/\/\S+/g;
  var HASHTAG = /(?<![\p{L}\p{M}\p{N}_#&/])#[\p{L}\p{M}\p{N}_]+/gu;

  function xWeight(text) {
    var links = text.match(URL) || [];
    var weight = 23 * links.length;
    Array.from(text.replace(URL, "").normalize("NFC")).forEach(function (char) {
      var point = char.codePointAt(0);
      var light = X_LIGHT.some(function (range) {
        return point >= range[0] && point <= range[1];
      });
      weight += light ? 1 : 2;
    });
    return weight;
  }

  function measure(text, counting) {
    if (counting === "bytes") {
      return new TextEncoder().encode(text).length;
    }
    if (counting === "weighted") {
      return xWeight(text);
    }
    return text.length; // UTF-16 code units, as JavaScript strings count
  }

  function recount(article) {
    var text = article.querySelector('textarea[name="text"]').value.trim();
    var length = measure(text, article.dataset.counting);
    var counter = article.querySelector("[data-length]");
    counter.textContent = length;
    var over = length > Number(article.dataset.maxLength);
    var hashtags = article.querySelector("[data-hashtags]");
    if (hashtags) {
      var count = (text.match(HASHTAG) || []).length;
      hashtags.textContent = count;
      over = over || count > Number(article.dataset.maxHashtags);
    }
    counter.closest(".counter").classList.toggle("over", over);
    var title = article.querySelector('input[name="title"]');
    if (title) {
      var titleLength = title.value.trim().length;
      article.querySelector("[data-title-length]").textContent = titleLength;
      article.querySelector('[data-counter="title"]').classList.toggle("over", titleLength > Number(article.dataset.maxTitle));
    }
  }

  function captionOf(platform) {
    var article = document.getElementById("caption-" + platform);
    if (!article) {
      return {text: "", title: null};
    }
    var title = article.querySelector('input[name="title"]');
    return {text: article.querySelector('textarea[name="text"]').value, title: title ? title.value : null};
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
    platforms: function (form, videoId) {
      var chosen = Array.prototype.map.call(form.querySelectorAll("[data-platform-choice]:checked"), function (box) {
        return box.value;
      });
      return {video_id: videoId, platforms: chosen};
    },
    caption: function (button) {
      var article = button.closest(".caption");
      return captionOf(article.dataset.platform);
    },
    rewrite: function (button) {
      var article = button.closest(".caption");
      return {caption_id: article.dataset.captionId, instruction: article.querySelector('input[name="instruction"]').value};
    },
    schedule: function (form, videoId) {
      var posts = [];
      form.querySelectorAll(".schedule-row").forEach(function (row) {
        var box = row.querySelector("[data-platform-choice]");
        if (!box.checked) {
          return;
        }
        var caption = captionOf(box.value);
        posts.push({
          platform: box.value,
          text: caption.text,
          title: caption.title,
          publish_at: row.querySelector("[data-publish-at]").value,
        });
      });
      return {video_id: videoId, posts: posts};
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

  document.addEventListener("input", function (event) {
    var article = event.target.closest && event.target.closest(".caption");
    if (article && event.target.name !== "instruction") {
      recount(article);
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id === "upload-form") {
      event.preventDefault();
      upload(event.target);
    }
  });
})();
