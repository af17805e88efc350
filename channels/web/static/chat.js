"use strict";
(() => {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const box = document.getElementById("message");
  const typing = document.getElementById("typing");
  const error = document.getElementById("error");
  const supportNow = document.getElementById("support-now");

  const newSession = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  let session = localStorage.getItem("cairn-session");
  if (!session) { session = newSession(); localStorage.setItem("cairn-session", session); }

  const add = (who, text) => {
    const div = document.createElement("div");
    div.className = "msg " + who;
    const p = document.createElement("p");
    p.textContent = text;  // never innerHTML: text is data, not markup
    p.style.margin = "0";
    div.appendChild(p);
    log.appendChild(div);
    div.scrollIntoView({ block: "end" });
    return div;
  };

  const addReply = (reply) => {
    const div = add("bot", reply.text);
    if (reply.sources && reply.sources.length) {
      const ul = document.createElement("ul");
      ul.className = "sources";
      ul.setAttribute("aria-label", "Sources");
      for (const s of reply.sources) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = s.url; a.textContent = s.title; a.rel = "noopener noreferrer"; a.target = "_blank";
        li.appendChild(a);
        li.appendChild(document.createTextNode(" (last reviewed " + s.last_reviewed + ")"));
        ul.appendChild(li);
      }
      div.appendChild(ul);
    }
    if (reply.buttons && reply.buttons.length) {
      const row = document.createElement("div");
      row.className = "quick";
      for (const b of reply.buttons) {
        const btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b.title;
        btn.addEventListener("click", () => send(b.payload, b.title));
        row.appendChild(btn);
      }
      div.appendChild(row);
    }
  };

  const send = async (text, shown) => {
    error.hidden = true;
    add("me", shown || text);
    typing.hidden = false;
    try {
      const res = await fetch("/api/web/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ session, text }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(typeof body.detail === "string" ? body.detail : "Sorry, that didn't send.");
      for (const reply of body.replies) addReply(reply);
      supportNow.hidden = true;
    } catch (e) {
      error.textContent = e.message || "Sorry, something went wrong. Please try again.";
      error.hidden = false;
      supportNow.hidden = false;  // whatever failed, the support lines are on the page
    } finally {
      typing.hidden = true;
    }
  };

  const resume = async () => {
    try {
      const res = await fetch("/api/web/history?session=" + encodeURIComponent(session));
      if (!res.ok) return;
      const body = await res.json();
      for (const m of body.messages) {
        if (m.author === "user") add("me", m.text); else addReply({ text: m.text, buttons: m.buttons });
      }
    } catch (e) { /* a fresh start is fine */ }
  };
  resume();
  const live = new EventSource("/api/web/events?session=" + encodeURIComponent(session));
  live.onmessage = (e) => {
    const m = JSON.parse(e.data);
    const div = add("bot", m.text);
    if (m.author === "adviser") div.classList.add("adviser");
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    send(text);
    box.focus();
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  document.getElementById("talk").addEventListener("click", () => send("/request_human", "Talk to a person"));
  document.getElementById("quick-exit").addEventListener("click", () => {
    localStorage.removeItem("cairn-session");
    window.location.replace("https://www.bbc.co.uk/weather");
  });
})();
