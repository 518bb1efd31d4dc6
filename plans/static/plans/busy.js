// Long posts (a plan document's upload and parse, its confirmation): once the button is
// pressed, say what is happening and for how long, and keep a second press from posting again.
// The button carries the words (data-busy, translated by the page); the note goes under it.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.dataset.busy) {
      return;
    }
    var form = event.target;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var note = document.createElement("p");
    note.className = "busy-note";
    note.setAttribute("role", "status");
    button.parentNode.appendChild(note);
    var started = Date.now();
    var seconds = note.dataset.seconds || button.dataset.busySeconds || "%s s";
    function tell() {
      var elapsed = Math.floor((Date.now() - started) / 1000);
      note.textContent = button.dataset.busy + " " + seconds.replace("%s", String(elapsed));
    }
    tell();
    window.setInterval(tell, 1000);
  });
})();
