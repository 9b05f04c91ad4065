// Tollgate chat: a client of the public API (/v1) with the subscriber's key. No framework, no build step.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const keyStore = "tollgate_chat_key";
  const feedback = document.body.dataset.feedback === "true";
  let key = sessionStorage.getItem(keyStore);
  let account = null;
  let history = [];
  let busy = false;

  const storeName = () => "tollgate_chat_" + (account ? account.customer.id : "anon");
  const save = () => localStorage.setItem(storeName(), JSON.stringify(history));
  const time = (iso) => iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "";

  async function api(path, options = {}) {
    const headers = Object.assign({ Authorization: "Bearer " + key }, options.headers || {});
    return fetch(path, Object.assign({}, options, { headers }));
  }

  async function errorOf(response) {
    try { return (await response.json()).error || { message: response.statusText }; }
    catch { return { message: "HTTP " + response.status }; }
  }

  async function signIn(candidate) {
    key = candidate;
    const response = await api("/v1/account");
    if (!response.ok) {
      key = null;
      sessionStorage.removeItem(keyStore);
      throw new Error((await errorOf(response)).message);
    }
    sessionStorage.setItem(keyStore, key);
    account = await response.json();
    $("signin").classList.add("hidden");
    $("chat").classList.remove("hidden");
    $("signout").classList.remove("hidden");
    $("who").textContent = account.customer.name;
    history = JSON.parse(localStorage.getItem(storeName()) || "[]");
    await loadModels();
    showAccount();
    render();
  }

  async function loadModels() {
    const response = await api("/v1/models");
    const models = response.ok ? (await response.json()).data.map((m) => m.id) : [];
    const included = account.subscription ? account.subscription.models : [];
    const select = $("model");
    select.replaceChildren();
    const chatModels = models.filter((m) => !m.includes("embed"));
    for (const id of [...included.filter((m) => chatModels.includes(m)), ...chatModels.filter((m) => !included.includes(m))]) {
      const option = document.createElement("option");
      option.value = id;
      option.textContent = included.includes(id) ? id + " (in your plan)" : id + " (pay per token)";
      select.append(option);
    }
    select.onchange = showAccount;
  }

  function showAccount() {
    const model = $("model").value;
    const s = account.subscription;
    const state = $("plan-state");
    const windows = s ? s.windows.filter((w) => !w.model || w.model === model) : [];
    $("windows").textContent = windows.map((w) => `${w.name}: ${w.remaining} of ${w.size} left` + (w.resets_at ? `, resets ${time(w.resets_at)}` : "")).join(" · ");
    $("balance").textContent = account.balance.available !== null ? `Balance $${account.balance.available}` : "";
    if (!s || !s.models.includes(model)) { state.textContent = "Pay per token"; state.className = "state metered"; return; }
    const empty = windows.find((w) => w.remaining <= 0);
    if (!empty) { state.textContent = `Included in ${s.plan_name}`; state.className = "state included"; return; }
    const resets = empty.resets_at ? ` until ${time(empty.resets_at)}` : "";
    if (s.overage === "downgrade") { state.textContent = `Allowance used: answers come from ${s.downgrade_model}${resets}`; state.className = "state downgraded"; }
    else if (s.overage === "metered") { state.textContent = `Allowance used: billed per token${resets}`; state.className = "state metered"; }
    else { state.textContent = `Allowance used: blocked${resets}`; state.className = "state blocked"; }
  }

  async function refreshAccount() {
    const response = await api("/v1/account");
    if (response.ok) { account = await response.json(); showAccount(); }
  }

  function bubble(entry, index) {
    const div = document.createElement("div");
    div.className = "msg " + entry.role;
    div.append(document.createTextNode(entry.content));
    if (entry.meta) {
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = entry.meta;
      div.append(meta);
    }
    if (entry.role === "assistant" && feedback && entry.requestId) div.append(rating(entry, index));
    return div;
  }

  function rating(entry) {
    const box = document.createElement("div");
    box.className = "rate";
    const comment = document.createElement("input");
    comment.placeholder = "Comment (optional)";
    comment.maxLength = 2000;
    const send = async (value) => {
      const response = await api("/v1/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ request_id: entry.requestId, rating: value, comment: comment.value || undefined }),
      });
      entry.rating = response.ok ? value : entry.rating;
      save();
      render();
    };
    for (const [value, label] of [["up", "👍"], ["down", "👎"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.title = value === "up" ? "Good answer" : "Bad answer";
      button.setAttribute("aria-pressed", entry.rating === value ? "true" : "false");
      button.onclick = () => send(value);
      box.append(button);
    }
    box.append(comment);
    return box;
  }

  function render() {
    $("messages").replaceChildren(...history.map(bubble));
    window.scrollTo(0, document.body.scrollHeight);
  }

  async function ask(text) {
    busy = true;
    $("send").disabled = true;
    history.push({ role: "user", content: text });
    const answer = { role: "assistant", content: "" };
    history.push(answer);
    render();
    const node = $("messages").lastElementChild;
    const model = $("model").value;
    try {
      const response = await api("/v1/chat/completions", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          model, stream: true, stream_options: { include_usage: true },
          messages: history.filter((m) => m.role !== "error" && m !== answer).map((m) => ({ role: m.role, content: m.content })),
        }),
      });
      if (!response.ok) {
        const error = await errorOf(response);
        answer.role = "error";
        answer.content = error.message;
        answer.meta = error.code || "";
        return;
      }
      answer.requestId = response.headers.get("x-request-id");
      const from = response.headers.get("x-tollgate-downgraded-from");
      let usage = null;
      let served = model;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          for (const line of event.split("\n")) {
            if (!line.startsWith("data:")) continue;
            const data = line.slice(5).trim();
            if (data === "[DONE]") continue;
            const chunk = JSON.parse(data);
            if (chunk.error) { answer.meta = "Stopped: " + chunk.error.message; continue; }
            if (chunk.model) served = chunk.model;
            if (chunk.usage) usage = chunk.usage;
            const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
            if (delta && delta.content) {
              answer.content += delta.content;
              node.firstChild.textContent = answer.content;
            }
          }
        }
      }
      const notes = [];
      if (from) notes.push(`served by ${served} instead of ${from} (allowance used)`);
      if (usage) notes.push(`${usage.prompt_tokens} in / ${usage.completion_tokens} out tokens` + (typeof usage.cost === "number" ? `, charged $${usage.cost}` : ""));
      answer.meta = [answer.meta, ...notes].filter(Boolean).join(" · ");
    } catch (e) {
      answer.role = "error";
      answer.content = "The answer was cut off: " + e.message;
    } finally {
      save();
      render();
      busy = false;
      $("send").disabled = false;
      await refreshAccount();
    }
  }

  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("signin-error");
    box.classList.add("hidden");
    try { await signIn($("apikey").value.trim()); }
    catch (e) { box.textContent = e.message; box.classList.remove("hidden"); }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("prompt").value.trim();
    if (!text || busy) return;
    $("prompt").value = "";
    ask(text);
  });
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
  });
  $("clear").addEventListener("click", () => { history = []; save(); render(); });
  $("signout").addEventListener("click", () => { sessionStorage.removeItem(keyStore); location.reload(); });
  if (key) signIn(key).catch(() => {});
})();
