// LTI client-side OIDC storage (1EdTech): keep the launch's state and nonce in the platform's frame when the
// browser blocks our cookies there. At login, store them with lti.put_data and go on to the platform; at the
// launch, read them back with lti.get_data and post the launch on only when both match.
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  if (!box) {
    return;
  }
  var data = box.dataset;
  var platformOrigin = data.platformOrigin;
  var host = window.opener || window.parent;
  var TIMEOUT_MS = 3000;

  function messageId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "oma-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Send one message and wait for its answer: same message_id, subject + ".response", and (for data) the
  // platform's origin only, so no other page can answer for the platform.
  function send(target, targetOrigin, message, fromPlatformOnly) {
    return new Promise(function (resolve, reject) {
      message.message_id = messageId();
      var timer = null;
      function onMessage(event) {
        var answer = event.data;
        if (!answer || typeof answer !== "object" || answer.message_id !== message.message_id) {
          return;
        }
        if (fromPlatformOnly && event.origin !== platformOrigin) {
          return;
        }
        if (answer.subject !== message.subject + ".response") {
          return;
        }
        window.removeEventListener("message", onMessage);
        window.clearTimeout(timer);
        if (answer.error) {
          reject(answer.error);
        } else {
          resolve(answer);
        }
      }
      window.addEventListener("message", onMessage);
      timer = window.setTimeout(function () {
        window.removeEventListener("message", onMessage);
        reject({ code: "timeout" });
      }, TIMEOUT_MS);
      target.postMessage(message, targetOrigin);
    });
  }

  // lti.capabilities carries nothing secret, so it may go to any origin ("*"): the platform's page can sit
  // on another origin than its storage. Its answer names the frame that handles `subject`.
  function storageFrame(subject) {
    if (host === window) {
      return Promise.reject({ code: "not_framed" });
    }
    return send(host, "*", { subject: "lti.capabilities" }, false).then(function (answer) {
      var found = (answer.supported_messages || []).filter(function (m) { return m && m.subject === subject; })[0];
      if (!found) {
        throw { code: "unsupported" };
      }
      var name = found.frame || data.storageTarget;
      if (!name || name === "_parent") {
        return host;
      }
      var frame = host.frames[name];
      if (!frame) {
        throw { code: "no_storage_frame" };
      }
      return frame;
    });
  }

  function put(frame, key, value) {
    return send(frame, platformOrigin, { subject: "lti.put_data", key: key, value: value }, true);
  }

  function get(frame, key) {
    return send(frame, platformOrigin, { subject: "lti.get_data", key: key }, true).then(function (answer) {
      return answer.value;
    });
  }

  if (data.mode === "login") {
    storageFrame("lti.put_data")
      .then(function (frame) {
        return put(frame, data.stateKey, data.state).then(function () {
          return put(frame, data.nonceKey, data.nonce);
        });
      })
      .then(
        function () { window.location.replace(data.authUrl); },
        function () { window.location.replace(data.fallbackUrl); }
      );
  } else if (data.mode === "launch") {
    storageFrame("lti.get_data")
      .then(function (frame) {
        return get(frame, data.stateKey).then(function (state) {
          if (state !== data.state) {
            throw { code: "state_mismatch" };
          }
          return get(frame, data.nonceKey);
        });
      })
      .then(function (nonce) {
        if (nonce !== data.nonce) {
          throw { code: "nonce_mismatch" };
        }
        document.getElementById("lti-storage-form").submit();
      })
      .catch(function () {
        document.getElementById("lti-storage-waiting").hidden = true;
        document.getElementById("lti-storage-failed").hidden = false;
      });
  }
})();
