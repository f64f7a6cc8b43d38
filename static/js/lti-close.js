// Dynamic registration is done: ask the platform to close its registration window or frame.
(function () {
  "use strict";
  var host = window.opener || window.parent;
  if (host && host !== window) {
    host.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
