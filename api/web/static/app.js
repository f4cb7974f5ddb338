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
          // the server marks where to go on (the moved block's button, a new block's title, what went wrong)
          const next = target.querySelector("[autofocus]");
          (next || target).focus();
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

// Pinned blocks (and the one just edited) keep their minutes; the others share the rest in proportion. null when
// that cannot give every block a minute: the caller says so in words, nothing is clamped or crushed to fit.
function share(minutes, total, fixed) {
  const free = minutes.map((_, i) => i).filter((i) => !fixed[i]);
  const room = total - minutes.reduce((sum, m, i) => sum + (fixed[i] ? m : 0), 0);
  if (!free.length) return room === 0 ? minutes.slice() : null;
  if (room < free.length) return null;
  const rest = distribute(free.map((i) => minutes[i]), room);
  const result = minutes.slice();
  free.forEach((i, k) => (result[i] = rest[k]));
  return result;
}

// The most a block may have: what the pinned others keep and a minute for each other block come off first.
function mostMinutes(minutes, pinned, total, index) {
  return minutes.reduce((left, m, j) => (j === index ? left : left - (pinned[j] ? m : 1)), total);
}

function blockTitle(input) {
  return input.closest("li")?.querySelector("h3")?.textContent.trim() || "this item";
}

// A value that cannot be right (0, empty, more than the session can give) is refused in words and nothing
// re-balances; the server refuses it the same way. It is never turned into 1 behind the person's back.
function minutesProblem(input, total, weights, pinned, index) {
  const raw = input.value.trim();
  const count = weights.length;
  const loose = total - (count - 1);
  const value = Number(raw);
  const title = blockTitle(input);
  const what = raw === "" ? "enter a whole number" : `${raw} is not allowed`;
  if (!/^\d+$/.test(raw) || value < 1 || value > loose) {
    return `Minutes for “${title}”: ${what}; it must be between 1 and ${loose}, so each of the ${count} items keeps a minute or more of the ${total}-minute session.`;
  }
  const most = mostMinutes(weights, pinned, total, index);
  const othersFree = pinned.some((p, j) => !p && j !== index);
  if (most < 1) {
    return `Minutes for “${title}”: the pinned blocks leave no minute for this block; unpin one or give it fewer minutes.`;
  }
  if (value > most) {
    return `Minutes for “${title}”: ${raw} is not allowed; it must be between 1 and ${most}, because the pinned blocks keep their minutes and each other block needs a minute or more.`;
  }
  if (!othersFree && value !== most) {
    return `Minutes for “${title}”: every other block is pinned, so this one must stay at ${most} minutes; unpin a block to change it.`;
  }
  return "";
}

function showMinutesProblem(input, message) {
  input.setCustomValidity(message);
  input.setAttribute("aria-invalid", message ? "true" : "false");
  const box = document.getElementById(input.getAttribute("aria-describedby"));
  if (box) { box.textContent = message; box.hidden = !message; }
}

function pinOf(input) {
  return Boolean(input.closest("[data-block]")?.querySelector("[data-pin]")?.checked);
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (input.name !== "minutes") return;
  const agenda = input.closest("[data-agenda]");
  const total = Number(agenda.dataset.total);
  const inputs = [...agenda.querySelectorAll("input[name=minutes]")];
  const index = inputs.indexOf(input);
  const weights = inputs.map((i) => { const v = parseInt(i.value, 10); return Number.isFinite(v) && v >= 1 ? v : 1; });
  const pinned = inputs.map(pinOf);
  const problem = minutesProblem(input, total, weights, pinned, index);
  showMinutesProblem(input, problem);
  if (problem) return;
  const values = share(weights, total, pinned.map((p, k) => p || k === index));
  if (!values) {
    showMinutesProblem(input, `Minutes for “${blockTitle(input)}”: the other blocks cannot make up the difference; change another block or unpin one.`);
    return;
  }
  inputs.forEach((i, k) => { i.value = values[k]; showMinutesProblem(i, ""); });
  agenda.querySelectorAll("[data-bar] .seg").forEach((seg, k) => {
    seg.style.width = `${(100 * values[k]) / total}%`;
    seg.textContent = values[k];
  });
  agenda.querySelector("[data-sum]").textContent = values.reduce((a, b) => a + b, 0);
});

// A block's heading follows its title as it is typed (the server keeps the title on the next post).
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!input.hasAttribute?.("data-title")) return;
  const heading = input.closest("[data-block]")?.querySelector("h3");
  if (heading && input.value.trim()) heading.textContent = input.value.trim();
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
