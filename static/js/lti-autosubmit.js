// Post the signed deep-linking response back to the platform at once (the button stays for browsers without script).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.submit();
  }
})();
