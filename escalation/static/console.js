"use strict";
(() => {
  // Live updates: the queue reloads; a case appends the young person's new messages.
  const queue = document.getElementById("queue");
  if (queue) {
    const events = new EventSource(queue.dataset.live);
    events.onmessage = () => window.location.reload();
    // A claim publishes a queue change too: let the form's own navigation win.
    document.addEventListener("submit", () => events.close());
  }
  const log = document.getElementById("log");
  if (log && log.dataset.live) {
    const events = new EventSource(log.dataset.live);
    events.onmessage = (e) => {
      const m = JSON.parse(e.data);
      const div = document.createElement("div");
      div.className = "msg me";
      const who = document.createElement("b");
      who.textContent = m.author + ": ";
      div.appendChild(who);
      div.appendChild(document.createTextNode(m.text));  // text, never markup
      log.appendChild(div);
    };
  }
  for (const button of document.querySelectorAll(".canned")) {
    button.addEventListener("click", () => {
      document.getElementById("reply").value = button.dataset.text;
    });
  }
})();
