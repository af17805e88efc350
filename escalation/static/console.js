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
  const reply = document.getElementById("reply");
  const insert = (text) => {
    reply.value = reply.value.trim() ? reply.value.trimEnd() + "\n" + text : text;
    reply.focus();
  };

  // Adviser assist: articles, services and shared outcomes, refreshed as the young person writes.
  const assist = document.getElementById("assist");
  let asked = 0;
  const item = (parts, link, insertText, label) => {
    const li = document.createElement("li");
    const title = document.createElement("b");
    title.textContent = parts[0];
    li.appendChild(title);
    if (/^https?:\/\//.test(link)) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = link;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      li.appendChild(a);
    }
    for (const part of parts.slice(1)) {
      if (part) {
        const span = document.createElement("span");
        span.className = "muted";
        span.textContent = part;
        li.appendChild(span);
      }
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    // Named by its content, not aria-label, so it never answers to the page's field labels.
    button.textContent = "Insert";
    const what = document.createElement("span");
    what.className = "visually-hidden";
    what.textContent = " " + label;
    button.appendChild(what);
    button.addEventListener("click", () => insert(insertText));
    li.appendChild(button);
    return li;
  };
  const fill = (id, rows, empty) => {
    const list = document.getElementById(id);
    list.replaceChildren(...rows);
    if (!rows.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = empty;
      list.appendChild(li);
    }
  };
  const render = (data) => {
    document.getElementById("assist-area").textContent = data.council_name || "unknown";
    fill("assist-articles", data.articles.map((a) =>
      item([a.title, "reviewed " + a.last_reviewed], a.url, a.insert, a.title)), "No match yet.");
    fill("assist-services", data.services.map((s) =>
      item([s.name, s.phone, "checked " + s.last_checked], s.url, s.insert, s.name)),
      "No services found.");
    fill("assist-past", data.past.map((p) => {
      const li = document.createElement("li");
      li.textContent = p.kind + ": " + p.outcome.replace(/_/g, " ") + " (" + p.date + ")";
      return li;
    }), "None shared.");
    const status = document.getElementById("assist-status");
    status.textContent = "Updated " + new Date().toLocaleTimeString("en-GB");
    assist.dataset.updated = String(asked);
    assist.dataset.updatedAt = String(Date.now());
  };
  const refresh = async () => {
    const mine = ++asked;
    try {
      const response = await fetch(assist.dataset.src, {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      const data = response.ok ? await response.json() : null;
      if (mine === asked && data) render(data);  // a newer request's answer wins
    } catch (error) {
      if (mine === asked) {
        document.getElementById("assist-status").textContent = "Suggestions unavailable.";
      }
    }
  };
  if (assist) refresh();

  const log = document.getElementById("log");
  if (log && log.dataset.live) {
    const events = new EventSource(log.dataset.live);
    events.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.alert) {
        // A crisis in a case someone already has: impossible to miss, on screen and off it.
        const banner = document.getElementById("urgent-alert");
        banner.textContent = "Urgent: " + m.text;
        banner.hidden = false;
        if (!document.title.startsWith("(!) ")) document.title = "(!) " + document.title;
        if ("Notification" in window && Notification.permission === "granted") {
          new Notification("Cairn: urgent", { body: m.text });
        }
        return;
      }
      const div = document.createElement("div");
      div.className = "msg me";
      const who = document.createElement("b");
      who.textContent = m.author + ": ";
      div.appendChild(who);
      div.appendChild(document.createTextNode(m.text));  // text, never markup
      log.appendChild(div);
      if (assist && m.author === "user") refresh();
    };
  }
  for (const button of document.querySelectorAll(".canned")) {
    button.addEventListener("click", () => {
      reply.value = button.dataset.text;
    });
  }
})();
