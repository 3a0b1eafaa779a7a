// Live debugging of one component (/ui/live.html?id=<component>): its lines streamed
// from /api/v0/web/debug/<id> (server-sent events), filter and pause in the page,
// a flame graph of any recent profile, and the component's last errors.
import { FlameGraph } from "/ui/flame.js";

const id = new URLSearchParams(location.search).get("id") || "";
const base = `/api/v0/web/debug/${encodeURIComponent(id)}`;
const MAX_ROWS = 1000;
const $ = (sel) => document.querySelector(sel);

let paused = false;
let held = [];
let dropped = 0;

function td(text, cls = "") {
  const cell = document.createElement("td");
  if (cls) cell.className = cls;
  cell.textContent = text;
  return cell;
}

function matches(line) {
  const needle = $("#filter").value.trim();
  return !needle || line.text.includes(needle);
}

function applyFilter() {
  for (const row of $("#lines tbody").children) row.hidden = !matches(row.line);
}

function addLine(line) {
  const row = document.createElement("tr");
  row.className = `line dir-${line.direction}`;
  row.dataset.seq = String(line.seq);
  row.line = line;
  const outcome = line.outcome || "";
  if (outcome.startsWith("dropped")) row.classList.add("dropped");
  if (outcome.startsWith("refused") || outcome.startsWith("failed")) row.classList.add("failed");
  const text = td(line.text, "text");
  const action = document.createElement("td");
  if (line.profile) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "open-profile";
    button.textContent = "flame graph";
    button.addEventListener("click", () => openProfile(line));
    action.append(button);
  }
  row.append(text, action);
  row.hidden = !matches(line);
  const body = $("#lines tbody");
  body.prepend(row);
  while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
}

function showCounts() {
  $("#held").textContent = paused ? `paused: ${held.length} new lines held` : "";
  $("#dropped").textContent = dropped ? `${dropped} lines dropped (the page fell behind)` : "";
}

function connect() {
  const source = new EventSource(base);
  source.onopen = () => { $("#live-state").textContent = "streaming"; };
  source.onmessage = (event) => {
    const line = JSON.parse(event.data);
    if (paused) held.push(line); else addLine(line);
    showCounts();
  };
  source.addEventListener("dropped", (event) => {
    dropped += JSON.parse(event.data).dropped;
    showCounts();
  });
  source.addEventListener("disabled", () => { source.close(); checkState(); });
  source.onerror = () => { source.close(); setTimeout(checkState, 3000); };
}

async function checkState() {
  const state = $("#live-state");
  try {
    const resp = await fetch("/api/v0/web/debug");
    const status = await resp.json();
    if (!status.enabled) {
      state.textContent = "Live debugging is disabled: add `livedebugging { enabled = true }` " +
        "to the config and reload.";
      state.className = "disabled";
      setTimeout(checkState, 5000);
      return;
    }
  } catch {
    state.textContent = "cannot reach the agent";
    setTimeout(checkState, 5000);
    return;
  }
  state.className = "muted";
  connect();
}

// ------------------------------------------------------------------ flame graph

const flame = new FlameGraph($("#flame-graph"), ({ matched, zoomed }) => {
  const search = $("#search").value.trim();
  $("#search-result").textContent = search ? `${matched} frames match` : "";
  $("#reset-zoom").disabled = !zoomed;
});
let sampleTypes = [];

function showSampleType(index) {
  const st = sampleTypes[index];
  flame.show(st.root);
  const rows = st.top.map((t) => {
    const row = document.createElement("tr");
    row.append(td(t.name), td(`${t.self} ${st.unit}`));
    return row;
  });
  $("#top tbody").replaceChildren(...rows);
}

async function openProfile(line) {
  const panel = $("#flame-panel");
  panel.hidden = false;
  $("#flame-title").textContent = `#${line.seq} ${line.text}`;
  $("#flame-message").textContent = "loading…";
  const resp = await fetch(`${base}/profiles/${line.profile}`);
  if (!resp.ok) {
    $("#flame-message").textContent = (await resp.text()).trim();
    return;
  }
  const data = await resp.json();
  panel.dataset.format = data.format;
  $("#flame-tools").hidden = !data.previewable;
  if (!data.previewable) {
    sampleTypes = [];
    flame.show(null);
    $("#top tbody").replaceChildren();
    $("#flame-message").textContent = `${data.format}, ${data.size} bytes: not previewable (${data.reason})`;
    return;
  }
  $("#flame-message").textContent = `${data.format}, ${data.size} bytes`;
  sampleTypes = data.sample_types;
  const select = $("#sample-type");
  select.replaceChildren(...sampleTypes.map((st, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = `${st.type} (${st.unit})`;
    return option;
  }));
  showSampleType(0);
  panel.scrollIntoView({ block: "start" });
}

// ------------------------------------------------------------------ errors

async function refreshErrors() {
  try {
    const resp = await fetch(`${base}/errors`);
    if (resp.ok) {
      const errors = await resp.json();
      const rows = errors.map((e) => {
        const row = document.createElement("tr");
        row.className = "error-row";
        row.append(td(e.time), td(e.endpoint), td(e.status), td(e.message));
        return row;
      });
      $("#errors tbody").replaceChildren(...rows);
      $("#no-errors").hidden = errors.length > 0;
    }
  } finally {
    setTimeout(refreshErrors, 3000);
  }
}

$("#component-id").textContent = id;
$("#filter").addEventListener("input", applyFilter);
$("#pause").addEventListener("click", () => {
  paused = !paused;
  $("#pause").textContent = paused ? "Resume" : "Pause";
  if (!paused) { held.forEach(addLine); held = []; }
  showCounts();
});
$("#sample-type").addEventListener("change", (e) => showSampleType(Number(e.target.value)));
$("#search").addEventListener("input", (e) => flame.setSearch(e.target.value));
$("#reset-zoom").addEventListener("click", () => flame.reset());
document.body.dataset.loaded = "true";
checkState();
refreshErrors();
