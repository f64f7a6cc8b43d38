// Saves each answer of an open quiz attempt as the learner goes: after a short pause, the changed
// question's fields go to the attempt's draft address with the form's CSRF token. It keeps the
// "n of 8 answered" counter and the question navigator current. Without it, "Save and leave" does
// the same in one normal post.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var DELAY = 600;
  var status = document.querySelector("[data-draft-status]");
  var count = document.querySelector("[data-answered-count]");
  var next = document.querySelector("[data-next-unanswered]");
  var timers = {};
  var pending = 0;
  var failed = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function isAnswered(fieldset) {
    var names = {};
    var controls = fieldset.querySelectorAll("input, select, textarea");
    Array.prototype.forEach.call(controls, function (control) {
      if (!control.name) {
        return;
      }
      if (!(control.name in names)) {
        names[control.name] = false;
      }
      if (control.type === "radio" || control.type === "checkbox") {
        names[control.name] = names[control.name] || control.checked;
      } else {
        names[control.name] = names[control.name] || control.value !== "";
      }
    });
    var keys = Object.keys(names);
    return keys.length > 0 && keys.every(function (name) {
      return names[name];
    });
  }

  function refresh() {
    var answered = 0;
    var firstOpen = null;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-question]"), function (fieldset) {
      var done = isAnswered(fieldset);
      var link = document.querySelector('[data-question-link="' + fieldset.getAttribute("data-question") + '"]');
      if (done) {
        answered += 1;
      } else if (!firstOpen) {
        firstOpen = fieldset;
      }
      if (link) {
        link.className = done ? "is-answered" : "is-open";
        link.setAttribute(
          "aria-label",
          "Question " + link.getAttribute("data-number") + (done ? ", answered" : ", not answered")
        );
      }
    });
    if (count) {
      count.textContent = String(answered);
    }
    if (next) {
      next.hidden = !firstOpen;
      if (firstOpen) {
        next.querySelector("a").setAttribute("href", "#" + firstOpen.id);
      }
    }
  }

  function save(fieldset) {
    var body = new URLSearchParams();
    body.append("csrf_token", form.querySelector('[name="csrf_token"]').value);
    body.append("question", fieldset.getAttribute("data-question"));
    new FormData(form).forEach(function (value, name) {
      if (fieldset.querySelector('[name="' + name + '"]')) {
        body.append(name, value);
      }
    });
    pending += 1;
    say("Saving…");
    window.fetch(form.getAttribute("data-draft-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      failed = failed || !response.ok;
      if (!response.ok) {
        say("Not saved: " + (response.status === 409 ? "this attempt was already submitted." : "please use Save and leave."));
      }
    }, function () {
      failed = true;
      say("Not saved: you seem to be offline. Your answers stay on this page.");
    }).then(function () {
      pending -= 1;
      if (pending === 0 && !failed) {
        say("All answers saved.");
      }
      failed = pending === 0 ? false : failed;
    });
  }

  function changed(event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) {
      return;
    }
    refresh();
    var key = fieldset.getAttribute("data-question");
    window.clearTimeout(timers[key]);
    timers[key] = window.setTimeout(function () {
      delete timers[key];
      save(fieldset);
    }, DELAY);
  }

  form.addEventListener("change", changed);
  refresh();
})();
