// Show every <time data-local-time> in the reader's own time zone; the UTC text stays as the
// fallback (no JavaScript) and as the tooltip. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var format = new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
  var times = document.querySelectorAll("time[data-local-time]");
  for (var i = 0; i < times.length; i += 1) {
    var element = times[i];
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) {
      continue;
    }
    element.title = element.textContent.trim();
    element.textContent = format.format(moment);
  }
})();
