// The agent's UI: polls /api/v0/web/graph and shows the graph and one card per
// component (health, counters, references, arguments, exports).
// All data goes into the page through textContent, never as HTML: labels and
// argument values come from a user's config.

import { BAD_COUNTERS, formatCount, layout, renderGraph, updateGraph } from "/ui/graph.js";

const REFRESH_MS = 3000;
// `/ui/?module=<module ID>` shows the components of one module (a custom component's
// instance, a foreach pipeline); the API names them `<module ID>/<local ID>`.
const moduleId = new URLSearchParams(location.search).get("module") || "";
const globalId = (id) => (moduleId ? `${moduleId}/${id}` : id);

let structureKey = "";
let selected = decodeURIComponent(location.hash.slice(1));
const shown = new Map(); // component id -> {args, exports} JSON last drawn

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function formatBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

// Values the API sends are plain JSON; secrets arrive as "(secret)" already.
function renderValue(value) {
  if (value === null || value === undefined) return h("span", { class: "v-null" }, "null");
  if (value === "(secret)") return h("span", { class: "v-secret" }, "(secret)");
  if (value === "(capsule)") return h("span", { class: "v-capsule" }, "(capsule)");
  if (typeof value === "string") return h("span", { class: "v-string" }, JSON.stringify(value));
  if (typeof value === "number" || typeof value === "boolean") {
    return h("span", { class: "v-scalar" }, String(value));
  }
  if (Array.isArray(value)) {
    if (!value.length) return h("span", { class: "v-scalar" }, "[]");
    if (value.every((v) => v === null || typeof v !== "object")) {
      const span = h("span", { class: "v-list" }, "[");
      value.forEach((v, i) => { if (i) span.append(", "); span.append(renderValue(v)); });
      span.append("]");
      return span;
    }
    const list = h("ol", { class: "v-blocks" });
    for (const v of value) list.append(h("li", {}, renderValue(v)));
    return list;
  }
  const keys = Object.keys(value);
  if (!keys.length) return h("span", { class: "v-scalar" }, "{}");
  const table = h("table", { class: "kv" });
  for (const k of keys) {
    table.append(h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, renderValue(value[k]))));
  }
  return table;
}

function healthBadge(health) {
  const state = health?.state || "unknown";
  return h("span", { class: `badge health-${state}`, "data-health": state }, state);
}

// `descriptions` come from the component's registration (its CounterRules): the same
// counter name means different things on different components.
function counterTiles(counters, descriptions) {
  const box = h("div", { class: "counters" });
  for (const [key, value] of Object.entries(counters)) {
    const shownValue = key === "bytes_sent" ? formatBytes(value) : formatCount(value);
    const bad = BAD_COUNTERS.has(key) && value > 0;
    box.append(h("div", { class: bad ? "counter bad" : "counter", "data-counter": key,
                          title: descriptions[key] || key },
      h("span", { class: "value" }, shownValue), h("span", { class: "key" }, key)));
  }
  if (!Object.keys(counters).length) box.append(h("span", { class: "muted" }, "no counters"));
  return box;
}

function refLinks(ids) {
  if (!ids.length) return h("span", { class: "muted" }, "none");
  const span = h("span");
  ids.forEach((id, i) => {
    if (i) span.append(", ");
    const a = h("a", { href: `#${encodeURIComponent(id)}` }, id);
    a.addEventListener("click", (ev) => { ev.preventDefault(); select(id); });
    span.append(a);
  });
  return span;
}

function newCard(node) {
  const card = h("details", { class: "card", "data-component": node.id, id: `c-${node.id}` });
  card.open = true;
  const summary = h("summary", {}, h("span", { class: "cname" }, node.id), h("span", { class: "slot-badge" }));
  const body = h("div", { class: "card-body" },
    h("p", { class: "health-line" }),
    h("div", { class: "slot-counters" }),
    h("p", { class: "refs" }),
    h("p", { class: "modules" }),
    h("p", { class: "live-link" },
      h("a", { href: `/ui/live.html?id=${encodeURIComponent(globalId(node.id))}` }, "Live debugging, profiles and errors")),
    h("h3", {}, "Arguments"), h("div", { class: "slot-arguments" }),
    h("h3", {}, "Exports"), h("div", { class: "slot-exports" }));
  card.append(summary, body);
  return card;
}

function fillCard(card, node) {
  card.className = `card health-${node.health?.state || "unknown"}`;
  card.querySelector(".slot-badge").replaceChildren(healthBadge(node.health));
  const updated = node.health?.updatedTime ? new Date(node.health.updatedTime) : null;
  card.querySelector(".health-line").replaceChildren(
    h("span", { class: "health-message" }, node.health?.message || ""),
    h("span", { class: "muted" }, updated ? ` · since ${updated.toLocaleTimeString()}` : ""));
  const tiles = counterTiles(node.counters || {}, node.counter_descriptions || {});
  card.querySelector(".slot-counters").replaceChildren(tiles);
  card.querySelector(".refs").replaceChildren(
    h("span", { class: "muted" }, "Receives from: "), refLinks(node.referencedBy || []),
    h("br"),
    h("span", { class: "muted" }, "Sends to: "), refLinks(node.referencesTo || []));
  const modules = node.createdModuleIDs || [];
  card.querySelector(".modules").replaceChildren(...(modules.length ? [
    h("span", { class: "muted" }, "Runs modules: "),
    ...modules.flatMap((id, i) => [i ? ", " : "",
      h("a", { href: `/ui/?module=${encodeURIComponent(id)}`, "data-module": id }, id)]),
  ] : []));
  // Arguments and exports are redrawn only when they change, so a reader's
  // text selection or scroll position inside them survives the polling.
  const before = shown.get(node.id) || {};
  const args = JSON.stringify(node.arguments ?? null);
  const exps = JSON.stringify(node.exports ?? null);
  if (before.args !== args) {
    card.querySelector(".slot-arguments").replaceChildren(renderValue(node.arguments ?? null));
  }
  if (before.exps !== exps) {
    card.querySelector(".slot-exports").replaceChildren(renderValue(node.exports ?? {}));
  }
  shown.set(node.id, { args, exps });
}

function renderCards(nodes) {
  const list = document.getElementById("components");
  const existing = new Map([...list.querySelectorAll(".card")].map((c) => [c.dataset.component, c]));
  const cards = nodes.map((n) => {
    const card = existing.get(n.id) || newCard(n);
    fillCard(card, n);
    return card;
  });
  for (const [id, card] of existing) {
    if (!nodes.some((n) => n.id === id)) { card.remove(); shown.delete(id); }
  }
  cards.forEach((card) => list.append(card)); // re-appending keeps the given order
  if (!nodes.length) list.replaceChildren(h("p", { class: "muted" }, "No components are running."));
}

function markSelected() {
  document.querySelectorAll(".selected").forEach((e) => e.classList.remove("selected"));
  if (!selected) return;
  document.querySelector(`g.node[data-id="${CSS.escape(selected)}"]`)?.classList.add("selected");
  document.querySelector(`.card[data-component="${CSS.escape(selected)}"]`)?.classList.add("selected");
}

function select(id) {
  selected = id;
  history.replaceState(null, "", `#${encodeURIComponent(id)}`);
  const card = document.querySelector(`.card[data-component="${CSS.escape(id)}"]`);
  if (card) { card.open = true; card.scrollIntoView({ behavior: "smooth", block: "start" }); }
  markSelected();
}

function summarize(nodes) {
  const counts = {};
  for (const n of nodes) counts[n.health?.state || "unknown"] = (counts[n.health?.state || "unknown"] || 0) + 1;
  const parts = [`${nodes.length} component${nodes.length === 1 ? "" : "s"}`];
  for (const state of ["healthy", "unhealthy", "exited", "unknown"]) {
    if (counts[state]) parts.push(`${counts[state]} ${state}`);
  }
  document.getElementById("summary").textContent = parts.join(" · ");
}

function setStatus(ok, text) {
  document.getElementById("status").className = ok ? "status ok" : "status error";
  document.getElementById("status-text").textContent = text;
}

async function refresh() {
  try {
    const path = moduleId ? `/api/v0/web/graph/${moduleId}` : "/api/v0/web/graph";
    const response = await fetch(path, { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { nodes, edges } = await response.json();
    const key = JSON.stringify([nodes.map((n) => [n.id, n.name, n.label]), edges]);
    const graph = document.getElementById("graph");
    if (key !== structureKey) {
      renderGraph(graph, nodes, edges, select);
      structureKey = key;
    } else {
      updateGraph(graph, nodes);
    }
    // Cards follow the picture: left to right, then top to bottom.
    const { positions } = layout(nodes, edges);
    const place = (n) => positions.get(n.id);
    renderCards([...nodes].sort((a, b) => place(a).x - place(b).x || place(a).y - place(b).y));
    summarize(nodes);
    markSelected();
    setStatus(true, `updated ${new Date().toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s`);
    document.body.dataset.loaded = "true";
  } catch (err) {
    // Keep the last picture: an agent restarting should not blank the page.
    setStatus(false, `cannot reach the agent (${err.message}); retrying`);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

if (moduleId) {
  const crumb = document.getElementById("module");
  crumb.replaceChildren("Module ", h("code", {}, moduleId), " · ",
    h("a", { href: "/ui/" }, "back to the root"));
  crumb.hidden = false;
  document.title = `alloylite · ${moduleId}`;
}
refresh();
