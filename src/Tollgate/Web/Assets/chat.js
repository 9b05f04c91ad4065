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
  // Server-side history (opt-in): whether it is on, and the server's id of the conversation shown.
  let kept = { enabled: false, retention: 0, saved: [] };
  let conversationId = null;
  let syncing = Promise.resolve();

  const storeName = () => "tollgate_chat_" + (account ? account.customer.id : "anon");
  const save = () => {
    localStorage.setItem(storeName(), JSON.stringify({ conversationId, history }));
    if (kept.enabled && history.length > 0) syncing = syncing.then(upload).catch(() => {});
  };
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
    const local = JSON.parse(localStorage.getItem(storeName()) || "{}");
    history = Array.isArray(local) ? local : local.history || [];
    conversationId = Array.isArray(local) ? null : local.conversationId || null;
    await loadModels();
    showAccount();
    await loadKept();
    render();
  }

  // --- Server-side history: off unless the subscriber turns it on; then each change is uploaded.
  async function loadKept() {
    const response = await api("/v1/chat/history");
    if (!response.ok) return;
    const list = await response.json();
    kept = { enabled: list.enabled, retention: list.retention_days, saved: list.data };
    if (kept.enabled && history.length === 0 && kept.saved.length > 0) await openSaved(kept.saved[0].id);
    showKept();
  }

  function showKept() {
    $("keep-history").checked = kept.enabled;
    $("kept-where").textContent = kept.enabled
      ? `Conversations are also kept on the server for this key, erased ${kept.retention} days after their last change.`
      : "The conversation is kept only in this browser.";
    const list = $("saved");
    list.replaceChildren(...kept.saved.map((c) => {
      const item = document.createElement("li");
      const open = document.createElement("button");
      open.type = "button";
      open.className = "link open";
      open.textContent = c.title;
      open.onclick = () => openSaved(c.id).then(render);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary delete";
      remove.textContent = "Delete";
      remove.onclick = () => deleteSaved(c.id);
      const when = document.createElement("span");
      when.className = "meta";
      when.textContent = ` ${c.message_count} messages · ${time(c.updated_at)}`;
      item.append(open, when, remove);
      return item;
    }));
    $("saved-box").classList.toggle("hidden", kept.saved.length === 0);
  }

  async function openSaved(id) {
    const response = await api("/v1/chat/history/" + encodeURIComponent(id));
    if (!response.ok) return;
    const conversation = await response.json();
    conversationId = conversation.id;
    history = conversation.messages.map((m) => ({ role: m.role, content: m.content, meta: m.meta, requestId: m.request_id, rating: m.rating }));
    localStorage.setItem(storeName(), JSON.stringify({ conversationId, history }));
  }

  async function deleteSaved(id) {
    const response = await api("/v1/chat/history/" + encodeURIComponent(id), { method: "DELETE" });
    if (!response.ok && response.status !== 404) return;
    if (id === conversationId) { conversationId = null; history = []; localStorage.removeItem(storeName()); render(); }
    await loadKept();
  }

  async function upload() {
    const messages = history.map((m) => ({ role: m.role, content: m.content, meta: m.meta, request_id: m.requestId, rating: m.rating }));
    const path = conversationId ? "/v1/chat/history/" + encodeURIComponent(conversationId) : "/v1/chat/history";
    const response = await api(path, {
      method: conversationId ? "PUT" : "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ messages }),
    });
    if (response.status === 404 && conversationId) { conversationId = null; return upload(); }
    if (!response.ok) return;
    conversationId = (await response.json()).id;
    localStorage.setItem(storeName(), JSON.stringify({ conversationId, history }));
    await loadKept();
  }

  async function setKept(enabled) {
    const response = await api("/v1/chat/history/settings", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ enabled }),
    });
    if (response.ok) {
      kept.enabled = enabled;
      if (!enabled) conversationId = null;
      save();
      await syncing;
    }
    await loadKept();
  }

  async function loadModels() {
    const response = await api("/v1/models");
    const models = response.ok ? (await response.json()).data.map((m) => m.id) : [];
    const included = account.subscription ? account.subscription.models : [];
    const previews = previewModels();
    const select = $("model");
    select.replaceChildren();
    const chatModels = models.filter((m) => !m.includes("embed"));
    const plan = included.filter((m) => chatModels.includes(m) && !previews.includes(m));
    const preview = previews.filter((m) => chatModels.includes(m));
    for (const id of [...plan, ...preview, ...chatModels.filter((m) => !included.includes(m) && !previews.includes(m))]) {
      const option = document.createElement("option");
      option.value = id;
      option.textContent = id + (preview.includes(id) ? " (preview)" : plan.includes(id) ? " (in your plan)" : " (pay per token)");
      select.append(option);
    }
    select.onchange = showAccount;
  }

  // Gated models this key may call only as the plan's preview: counted by their own window, blocked once it is used.
  const previewModels = () => (account.gated_models || []).filter((g) => g.callable && g.via === "preview").map((g) => g.model);

  function showAccount() {
    const model = $("model").value;
    const s = account.subscription;
    const state = $("plan-state");
    const isPreview = previewModels().includes(model);
    const windows = s ? s.windows.filter((w) => (isPreview ? w.model === model : !w.model || w.model === model)) : [];
    $("windows").textContent = windows.map((w) => `${w.name}: ${w.remaining} of ${w.size} left` + (w.resets_at ? `, resets ${time(w.resets_at)}` : "")).join(" · ");
    $("balance").textContent = account.balance.available !== null ? `Balance $${account.balance.available}` : "";
    if (!s || !s.models.includes(model)) { state.textContent = "Pay per token"; state.className = "state metered"; return; }
    const empty = windows.find((w) => w.remaining <= 0);
    if (!empty) { state.textContent = isPreview ? `Preview in ${s.plan_name}` : `Included in ${s.plan_name}`; state.className = "state included"; return; }
    const resets = empty.resets_at ? ` until ${time(empty.resets_at)}` : "";
    if (isPreview) { state.textContent = `Preview used: blocked${resets}`; state.className = "state blocked"; return; }
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
  $("clear").addEventListener("click", () => { history = []; conversationId = null; localStorage.removeItem(storeName()); render(); });
  $("keep-history").addEventListener("change", (event) => setKept(event.target.checked));
  $("signout").addEventListener("click", () => { sessionStorage.removeItem(keyStore); location.reload(); });
  if (key) signIn(key).catch(() => {});
})();
