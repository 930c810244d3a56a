// The waiting page asks for the payment's state every half second and,
// once it is settled, loads the page that shows the outcome. Without
// JavaScript the page reloads itself every three seconds instead.
(function () {
  "use strict";
  var box = document.getElementById("waiting");
  if (!box) {
    return;
  }
  var statusURL = box.getAttribute("data-status");
  var nextURL = box.getAttribute("data-next");
  var state = document.getElementById("state");
  function poll() {
    fetch(statusURL, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("status " + r.status);
        }
        return r.json();
      })
      .then(function (s) {
        if (s.done) {
          window.location.replace(nextURL);
          return;
        }
        state.textContent = s.message;
        window.setTimeout(poll, 500);
      })
      .catch(function () {
        window.setTimeout(poll, 2000);
      });
  }
  window.setTimeout(poll, 500);
})();
