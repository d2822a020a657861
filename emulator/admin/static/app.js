// sms-emulator inspector: live updates and actions. No framework, no network beyond this server.
// Data from the server is only ever put into the page with textContent, or comes as
// server-rendered (autoescaped) HTML parsed by DOMParser, which never runs scripts.
"use strict";

(function () {
  const body = document.body;
  const base = body.dataset.base || "";
  const ui = base + "/ui";
  const liveUrl = body.dataset.liveUrl;
  const POLL_MS = 1000;
  let version = body.dataset.version || null;
  let paused = false;
  let busy = false;
  // The page shows that its item is gone (see refresh): opened so, or turned so by a reset.
  let shownGone = document.querySelector("[data-gone]") !== null;

  function clockText(iso) {
    return iso ? iso.slice(0, 10) + " " + iso.slice(11, 23) : "";
  }

  function showError(el, message) {
    if (!el) return;
    el.textContent = message;
    el.hidden = !message;
  }

  async function api(method, path, payload, contentType) {
    const init = { method: method, headers: {} };
    if (payload !== undefined) {
      init.body = typeof payload === "string" ? payload : JSON.stringify(payload);
      init.headers["Content-Type"] = contentType || "application/json";
    }
    const response = await fetch(base + path, init);
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = { error: "unexpected response (HTTP " + response.status + ")" };
    }
    if (!response.ok) {
      const parts = [data && data.error ? data.error : "HTTP " + response.status];
      if (data && data.line != null && !String(parts[0]).includes(":" + data.line + ":")) {
        parts.push("(line " + data.line + ")");
      }
      const error = new Error(parts.join(" "));
      error.data = data;
      throw error;
    }
    return data;
  }

  // Live updates: poll a fingerprint, re-fetch the page when it changes, swap data-live regions.
  const drawn = new Map();  // region id -> the server's HTML last drawn there
  document.querySelectorAll("[data-live][id]").forEach(function (region) {
    drawn.set(region.id, region.outerHTML);  // as served, before anyone opens a body
  });
  // The first row (an element with an id) showing at the top of the window; none when
  // the region's rows are all out of sight (keeping one below the window in place would
  // scroll away what is read above it, a reply being typed say).
  function firstVisible(region) {
    for (const row of region.querySelectorAll("tr[id], details[id]")) {
      const box = row.getBoundingClientRect();
      if (box.bottom > 0 && box.height > 0) return box.top < window.innerHeight ? row : null;
    }
    return null;
  }

  async function refresh() {
    const response = await fetch(window.location.href, { cache: "no-store" });
    if (response.status === 404) {
      // The message or batch shown is gone (a reset): say so, as a reload would.
      const gone = new DOMParser().parseFromString(await response.text(), "text/html");
      const main = document.getElementById("main");
      const fresh = gone.getElementById("main");
      if (main && fresh) {
        main.replaceWith(document.importNode(fresh, true));
        document.title = gone.title;
        shownGone = true;  // its "Not found" has no live parts: a reload brings it back
      }
      return;
    }
    if (!response.ok) return;
    if (shownGone) {
      // It is back (ids start again after a reset): the whole page, as it now is.
      window.location.reload();
      return;
    }
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (region) {
      const fresh = doc.getElementById(region.id);
      if (!fresh) return;
      // Unchanged (the clock moved, not what it shows): leave it, and any text selected in it.
      const html = fresh.outerHTML;
      if (html === drawn.get(region.id) || html === region.outerHTML) return;
      drawn.set(region.id, html);
      // Open request bodies stay open, and scrolled where they were.
      const open = new Map();
      region.querySelectorAll("details[open][id]").forEach(function (d) {
        open.set(d.id, Array.from(d.querySelectorAll("pre"), function (pre) { return pre.scrollTop; }));
      });
      const active = document.activeElement;
      const inside = active && region.contains(active);
      const focusId = inside ? active.id : null;
      const focusHref = inside ? active.getAttribute("href") : null;
      // A focused <summary> has no id or href of its own: its <details> has the id.
      const focusSummary = inside && active.tagName === "SUMMARY" && active.parentElement
        ? active.parentElement.id : null;
      // Scrolled down, reading: keep the row read at the top of the window where it is,
      // instead of letting new rows above it push it away (at the top, new rows show).
      const anchor = window.scrollY > 0 ? firstVisible(region) : null;
      const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
      const node = document.importNode(fresh, true);
      region.replaceWith(node);
      node.querySelectorAll("details[id]").forEach(function (d) {
        if (!open.has(d.id)) return;
        d.open = true;
        const scrolls = open.get(d.id);
        d.querySelectorAll("pre").forEach(function (pre, i) { pre.scrollTop = scrolls[i] || 0; });
      });
      const moved = anchor ? document.getElementById(anchor.id) : null;
      if (moved && node.contains(moved)) {
        window.scrollBy(0, moved.getBoundingClientRect().top - anchorTop);
      }
      let target = focusId ? document.getElementById(focusId) : null;
      if (!target && focusHref) {
        target = Array.from(node.querySelectorAll("a[href]")).find(function (a) {
          return a.getAttribute("href") === focusHref;
        }) || null;
      }
      if (!target && focusSummary) {
        const details = document.getElementById(focusSummary);
        target = details ? details.querySelector(":scope > summary") : null;
      }
      if (target) target.focus({ preventScroll: true });
    });
  }

  async function poll(force) {
    if (busy || !liveUrl) return;
    busy = true;
    try {
      const response = await fetch(liveUrl, { cache: "no-store" });
      const state = await response.json();
      document.querySelectorAll("[data-clock]").forEach(function (el) {
        el.textContent = clockText(state.now);
      });
      if (force || (version !== null && state.version !== version)) {
        await refresh();
      }
      version = state.version;
      body.dataset.liveVersion = state.version;
      setLiveState("connected");
    } catch (e) {
      setLiveState("disconnected");
    } finally {
      busy = false;
    }
  }

  function setLiveState(state) {
    const toggle = document.getElementById("live-toggle");
    if (toggle) toggle.dataset.state = state;
    // The server stopped (the test run ended): say so, or the page passes for live.
    const offline = document.getElementById("live-offline");
    if (offline) offline.hidden = state !== "disconnected";
  }

  function loop() {
    if (!paused && !document.hidden) poll(false);
    window.setTimeout(loop, POLL_MS);
  }

  const toggle = document.getElementById("live-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      paused = !paused;
      toggle.setAttribute("aria-pressed", paused ? "false" : "true");
      toggle.textContent = paused ? "Paused" : "Live";
      if (!paused) poll(true);
    });
  }

  // Clock controls.
  const clockError = document.getElementById("clock-error");
  async function advance(amount) {
    try {
      await api("POST", "/clock", { advance: amount });
      showError(clockError, "");
      await poll(true);
    } catch (e) {
      showError(clockError, "Cannot advance the clock: " + e.message);
    }
  }
  document.querySelectorAll("[data-advance]").forEach(function (button) {
    button.addEventListener("click", function () { advance(button.dataset.advance); });
  });
  const clockForm = document.getElementById("clock-form");
  if (clockForm) {
    clockForm.addEventListener("submit", function (event) {
      event.preventDefault();
      const input = document.getElementById("clock-advance");
      advance(input.value.trim()).then(function () {
        if (clockError.hidden) input.value = "";
      });
    });
  }

  // Inbound composer.
  const inboundForm = document.getElementById("inbound-form");
  if (inboundForm) {
    inboundForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      const result = document.getElementById("inbound-result");
      const error = document.getElementById("inbound-error");
      const fields = inboundForm.elements;
      result.textContent = "";
      try {
        const data = await api("POST", "/inbound", {
          provider: fields.provider.value,
          from: fields.from.value.trim(),
          to: fields.to.value.trim(),
          text: fields.text.value,
        });
        showError(error, "");
        const id = data.message.id;
        const link = document.createElement("a");
        link.href = ui + "/messages/" + encodeURIComponent(id);
        link.textContent = id;
        result.append("Inbound message ", link, " created.");
        fields.text.value = "";
        await poll(true);
      } catch (e) {
        showError(error, "Not sent: " + e.message);
      }
    });
  }

  // Scenario upload / replace.
  const scenarioForm = document.getElementById("scenario-form");
  async function putScenario(text) {
    const result = document.getElementById("scenario-result");
    const error = document.getElementById("scenario-error");
    result.textContent = "";
    try {
      const data = await api("PUT", "/scenario", text, "application/yaml");
      showError(error, "");
      result.textContent = "Scenario \u201c" + data.name + "\u201d is active.";
      await poll(true);
    } catch (e) {
      showError(error, "Scenario not changed: " + e.message);
    }
  }
  if (scenarioForm) {
    scenarioForm.addEventListener("submit", function (event) {
      event.preventDefault();
      putScenario(document.getElementById("scenario-text").value);
    });
    const file = document.getElementById("scenario-file");
    file.addEventListener("change", function () {
      if (!file.files.length) return;
      const reader = new FileReader();
      reader.onload = function () {
        document.getElementById("scenario-text").value = String(reader.result);
      };
      reader.readAsText(file.files[0]);
    });
  }
  const shippedForm = document.getElementById("scenario-shipped");
  if (shippedForm) {
    shippedForm.addEventListener("submit", function (event) {
      event.preventDefault();
      putScenario(document.getElementById("scenario-pick").value);
    });
  }

  loop();
})();
