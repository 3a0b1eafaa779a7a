// The component graph as SVG: topological layers left to right, one box per
// component, one arrow per reference in the direction profiles travel.
// Pure DOM, no libraries: the agent may run where there is no network.

const SVG = "http://www.w3.org/2000/svg";
export const BOX = { width: 270, height: 92, gapX: 110, gapY: 28, margin: 24 };

// Counters worth showing on a box; the full list is in the component's card.
const BOX_COUNTERS = ["received", "rejected", "forwarded", "dropped"];

// Longest-path layering: a component sits one layer right of the furthest
// component that sends to it, so every arrow points rightwards.
export function layout(nodes, edges) {
  const ids = nodes.map((n) => n.id);
  const incoming = new Map(ids.map((id) => [id, []]));
  const outgoing = new Map(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!incoming.has(e.to) || !outgoing.has(e.from)) continue;
    incoming.get(e.to).push(e.from);
    outgoing.get(e.from).push(e.to);
  }
  const layer = new Map();
  const pending = new Map(ids.map((id) => [id, incoming.get(id).length]));
  let ready = ids.filter((id) => pending.get(id) === 0);
  ready.forEach((id) => layer.set(id, 0));
  while (ready.length) {
    const next = [];
    for (const id of ready) {
      for (const to of outgoing.get(id)) {
        layer.set(to, Math.max(layer.get(to) ?? 0, layer.get(id) + 1));
        pending.set(to, pending.get(to) - 1);
        if (pending.get(to) === 0) next.push(to);
      }
    }
    ready = next;
  }
  // The runtime rejects cycles, but a box must never vanish if one slips through.
  ids.forEach((id) => { if (!layer.has(id)) layer.set(id, 0); });

  const columns = [];
  for (const id of ids) {
    const l = layer.get(id);
    (columns[l] ||= []).push(id);
  }
  // Order each column by the mean row of its senders, so arrows cross less.
  const row = new Map();
  columns.forEach((column) => {
    const key = (id) => {
      const rows = incoming.get(id).map((f) => row.get(f)).filter((r) => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
    };
    column.sort((a, b) => key(a) - key(b) || a.localeCompare(b));
    column.forEach((id, i) => row.set(id, i));
  });

  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = BOX.margin * 2 + tallest * BOX.height + (tallest - 1) * BOX.gapY;
  const positions = new Map();
  columns.forEach((column, l) => {
    const used = column.length * BOX.height + (column.length - 1) * BOX.gapY;
    const top = (height - used) / 2;
    column.forEach((id, i) => {
      positions.set(id, {
        x: BOX.margin + l * (BOX.width + BOX.gapX),
        y: top + i * (BOX.height + BOX.gapY),
        layer: l,
      });
    });
  });
  const width = BOX.margin * 2 + columns.length * BOX.width
    + Math.max(0, columns.length - 1) * BOX.gapX;
  return { positions, width, height };
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// Keeps a long name inside its box; the full text stays in the tooltip.
function clip(text, max) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

export function formatCount(value) {
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1);
}

// Counters that mean a profile did not get through; non-zero ones are shown in red.
export const BAD_COUNTERS = new Set(["rejected", "dropped"]);

function fillCounters(text, counters) {
  const parts = [];
  BOX_COUNTERS.filter((k) => k in counters).forEach((k, i) => {
    if (i) parts.push(el("tspan", {}, " · "));
    const bad = BAD_COUNTERS.has(k) && counters[k] > 0;
    parts.push(el("tspan", bad ? { class: "bad" } : {}, `${k} ${formatCount(counters[k])}`));
  });
  text.replaceChildren(...parts);
}

// Draws the graph into `container`, replacing what was there; `onSelect(id)`
// is called when a box is clicked.
export function renderGraph(container, nodes, edges, onSelect) {
  const { positions, width, height } = layout(nodes, edges);
  const svg = el("svg", {
    width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": "component graph",
  });
  const defs = el("defs");
  const marker = el("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse",
  });
  marker.append(el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }));
  defs.append(marker);
  svg.append(defs);

  const edgeLayer = el("g", { class: "edges" });
  for (const e of edges) {
    const a = positions.get(e.from);
    const b = positions.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + BOX.width;
    const y1 = a.y + BOX.height / 2;
    const x2 = b.x - 2;
    const y2 = b.y + BOX.height / 2;
    const bend = Math.max(40, (x2 - x1) / 2);
    const path = el("path", {
      d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
      class: "edge", "marker-end": "url(#arrow)", "data-from": e.from, "data-to": e.to,
    });
    path.append(el("title", {}, `${e.from} → ${e.to}`));
    edgeLayer.append(path);
  }
  svg.append(edgeLayer);

  const nodeLayer = el("g", { class: "nodes" });
  for (const n of nodes) {
    const p = positions.get(n.id);
    const health = n.health?.state || "unknown";
    const g = el("g", {
      class: `node health-${health}`, "data-id": n.id, tabindex: 0,
      transform: `translate(${p.x} ${p.y})`,
    });
    g.append(el("title", {}, `${n.id}\n${health}: ${n.health?.message || ""}`));
    g.append(el("rect", { width: BOX.width, height: BOX.height, rx: 8, class: "box" }));
    g.append(el("rect", { width: 6, height: BOX.height, rx: 3, class: "health-bar" }));
    g.append(el("text", { x: 16, y: 24, class: "name" }, clip(n.name, 34)));
    g.append(el("text", { x: 16, y: 43, class: "label" }, clip(n.label ? `"${n.label}"` : "", 36)));
    g.append(el("circle", { cx: 20, cy: 59, r: 5, class: "health-dot" }));
    g.append(el("text", { x: 31, y: 63, class: "health", "data-health": health }, health));
    const counters = el("text", { x: 16, y: 82, class: "counters" });
    fillCounters(counters, n.counters || {});
    g.append(counters);
    g.addEventListener("click", () => onSelect(n.id));
    g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") onSelect(n.id); });
    nodeLayer.append(g);
  }
  svg.append(nodeLayer);
  container.replaceChildren(svg);
}

// Refreshes the live parts of the boxes (health, counters) without redrawing,
// so hover and focus survive a poll.
export function updateGraph(container, nodes) {
  for (const n of nodes) {
    const g = container.querySelector(`g.node[data-id="${CSS.escape(n.id)}"]`);
    if (!g) continue;
    const health = n.health?.state || "unknown";
    g.setAttribute("class", `node health-${health}`);
    const text = g.querySelector("text.health");
    text.textContent = health;
    text.setAttribute("data-health", health);
    fillCounters(g.querySelector("text.counters"), n.counters || {});
    g.querySelector("title").textContent = `${n.id}\n${health}: ${n.health?.message || ""}`;
  }
}
