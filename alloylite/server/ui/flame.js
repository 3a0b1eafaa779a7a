// A flame graph drawn with positioned <div>s (no canvas, no library): each frame's
// width is its share of the zoomed node; click a frame to zoom, search highlights.

function h(tag, attrs = {}, text = "") {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text) el.textContent = text;
  return el;
}

const ROW = 18;

export class FlameGraph {
  constructor(container, onChange = () => {}) {
    this.container = container;
    this.onChange = onChange;
    this.root = null;
    this.zoom = null;
    this.search = "";
  }

  show(root) {
    this.root = root;
    this.zoom = root;
    this.render();
  }

  setSearch(text) {
    this.search = text.trim().toLowerCase();
    this.render();
  }

  reset() {
    this.zoom = this.root;
    this.render();
  }

  render() {
    const box = this.container;
    box.replaceChildren();
    if (!this.zoom) return;
    let depth = 0;
    let matched = 0;
    const total = this.zoom.v || 1;
    const draw = (node, left, level, path) => {
      const width = (node.v / total) * 100;
      if (width < 0.05) return;
      depth = Math.max(depth, level + 1);
      const name = node.n;
      const hit = this.search && name.toLowerCase().includes(this.search);
      if (hit) matched += 1;
      const frame = h("div", {
        class: "frame" + (hit ? " match" : "") + (node === this.root ? " root" : ""),
        "data-name": name,
        "data-value": String(node.v),
        "data-depth": String(level),
        title: `${name}\n${node.v} (${((node.v / (this.root.v || 1)) * 100).toFixed(2)}% of all)`,
      }, name);
      frame.style.left = `${left}%`;
      frame.style.width = `${width}%`;
      frame.style.top = `${level * ROW}px`;
      frame.addEventListener("click", () => { this.zoom = node; this.render(); });
      box.append(frame);
      let offset = left;
      for (const child of node.c) {
        draw(child, offset, level + 1, path);
        offset += (child.v / total) * 100;
      }
    };
    draw(this.zoom, 0, 0, []);
    box.style.height = `${depth * ROW + 2}px`;
    this.onChange({ matched, zoomed: this.zoom !== this.root });
  }
}
