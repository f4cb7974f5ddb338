// Mentor Companion pages: progressive enhancement only. Every form works without this file.
"use strict";

function announce(el, text) { if (el) el.textContent = text; }

function showProblem(text) {
  const box = document.getElementById("problem");
  box.textContent = text;
  box.hidden = false;
  box.focus?.();
}

// Server-sent events over a POST (fetch), so long generations show progress.
async function streamForm(form, submitter) {
  const action = submitter?.getAttribute("formaction") || form.action;
  const target = document.querySelector(form.dataset.target);
  const progress = form.querySelector("[data-progress]") || document.querySelector("[data-progress]");
  const body = new FormData(form, submitter); // before disabling: disabled buttons are left out
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => (b.disabled = true));
  document.getElementById("problem").hidden = true;
  announce(progress, "Starting…");
  form.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(action, {
      method: "POST",
      body,
      headers: { Accept: "text/event-stream" },
      credentials: "same-origin",
    });
    if (!response.body) throw new Error("no response");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let finished = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = (frame.match(/^event: (.*)$/m) || [])[1];
        const data = JSON.parse((frame.match(/^data: (.*)$/m) || [, "{}"])[1]);
        if (event === "progress") announce(progress, data.message);
        else if (event === "result") {
          target.innerHTML = data.html;
          finished = true;
          announce(progress, "Done.");
          if (form.hasAttribute("data-reset")) form.reset();
          target.focus();
        } else if (event === "error") {
          finished = true;
          announce(progress, "");
          showProblem(data.message || "Something went wrong; please try again.");
        }
      }
    }
    if (!finished) showProblem("The connection was interrupted before the result arrived; please try again.");
  } catch (err) {
    showProblem("Could not reach the server; check your connection and try again.");
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    form.removeAttribute("aria-busy");
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const submitter = event.submitter;
  if (!form.hasAttribute("data-stream") || submitter?.hasAttribute("data-plain")) return;
  event.preventDefault();
  streamForm(form, submitter);
});

// Minutes that always sum to the session length (the server applies the same rule on save).
function distribute(weights, total) {
  const n = weights.length;
  if (!n) return [];
  const spare = total - n;
  const base = weights.map((w) => Math.max(w, 1));
  const scale = base.reduce((a, b) => a + b, 0);
  const shares = base.map((w) => (spare * w) / scale);
  const result = shares.map((s) => 1 + Math.floor(s));
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => [s - Math.floor(s), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) { if (left <= 0) break; result[i] += 1; left -= 1; }
  return result;
}

function rebalance(minutes, total, edited) {
  const others = minutes.map((_, i) => i).filter((i) => i !== edited);
  if (!others.length) return [total];
  const fixed = Math.min(minutes[edited], total - others.length);
  const rest = distribute(others.map((i) => minutes[i]), total - fixed);
  const result = minutes.slice();
  result[edited] = fixed;
  others.forEach((i, k) => (result[i] = rest[k]));
  return result;
}

// A value that cannot be right (0, empty, more than the session can give) is refused in words and nothing
// re-balances; the server refuses it the same way. It is never turned into 1 behind the person's back.
function minutesProblem(input, total, count) {
  const raw = input.value.trim();
  const most = total - (count - 1);
  const value = Number(raw);
  if (/^\d+$/.test(raw) && value >= 1 && value <= most) return "";
  const title = input.closest("li")?.querySelector("h3")?.textContent.trim() || "this item";
  const what = raw === "" ? "enter a whole number" : `${raw} is not allowed`;
  return `Minutes for “${title}”: ${what}; it must be between 1 and ${most}, so each of the ${count} items keeps a minute or more of the ${total}-minute session.`;
}

function showMinutesProblem(input, message) {
  input.setCustomValidity(message);
  input.setAttribute("aria-invalid", message ? "true" : "false");
  const box = document.getElementById(input.getAttribute("aria-describedby"));
  if (box) { box.textContent = message; box.hidden = !message; }
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input.name !== "minutes") return;
  const agenda = input.closest("[data-agenda]");
  const total = Number(agenda.dataset.total);
  const inputs = [...agenda.querySelectorAll("input[name=minutes]")];
  const problem = minutesProblem(input, total, inputs.length);
  showMinutesProblem(input, problem);
  if (problem) return;
  const weights = inputs.map((i) => { const v = parseInt(i.value, 10); return Number.isFinite(v) && v >= 1 ? v : 1; });
  const values = rebalance(weights, total, Number(input.dataset.index));
  inputs.forEach((i, k) => { i.value = values[k]; showMinutesProblem(i, ""); });
  agenda.querySelectorAll("[data-bar] .seg").forEach((seg, k) => {
    seg.style.width = `${(100 * values[k]) / total}%`;
    seg.textContent = values[k];
  });
  agenda.querySelector("[data-sum]").textContent = values.reduce((a, b) => a + b, 0);
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.hasAttribute("data-add-note")) {
    const rows = button.closest("form").querySelector(".note-rows");
    const last = rows.lastElementChild;
    const copy = last.cloneNode(true);
    const n = rows.children.length;
    copy.querySelectorAll("label, textarea, select").forEach((el) => {
      if (el.htmlFor) el.htmlFor = el.htmlFor.replace(/\d+$/, n);
      if (el.id) el.id = el.id.replace(/\d+$/, n);
      if (el.tagName === "LABEL") el.textContent = el.textContent.replace(/\d+/, n + 1);
      if (el.tagName === "TEXTAREA") el.value = "";
    });
    rows.appendChild(copy);
    copy.querySelector("textarea").focus();
  } else if (button.hasAttribute("data-print")) {
    window.print();
  } else if (button.dataset.copy || button.dataset.copyUrl) {
    const status = button.parentElement.querySelector("[data-copied]");
    try {
      const text = button.dataset.copy
        ? document.querySelector(button.dataset.copy).textContent
        : await (await fetch(button.dataset.copyUrl, { credentials: "same-origin" })).text();
      await navigator.clipboard.writeText(text);
      announce(status, "Copied.");
    } catch (err) {
      announce(status, "Copying is blocked here; use the Markdown file instead.");
    }
  }
});
