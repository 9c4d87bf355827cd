// The Clusters view: one Flux cluster directory as kustomize-controller
// sees it. Its Kustomizations as a dependency graph (an SVG, with the
// reconcile order as its text alternative), and for the one selected what it
// applies: its objects in staged apply order, the YAML with the owner labels,
// its errors, warnings and health checks.
//
// The engine's `flux()` builds every Kustomization of the cluster (tens of
// ms on fleet-infra): it runs only when the files changed, and while the
// user types it waits until the typing pauses.

import { el, displayPath } from './dom.js';
import { createViewer, setText } from './cm.js';
import { engineReply } from './views.js';

const SVG = 'http://www.w3.org/2000/svg';
const STAGES = [
  ['definitions', 'Definitions: CRDs, Namespaces, ClusterRoles (applied first, then waited for)'],
  ['classes', 'Classes: every *Class kind (then waited for)'],
  ['rest', 'Everything else'],
];
const STATUS_TEXT = { rendered: 'rendered', suspended: 'suspended', external: 'external source', failed: 'failed' };
const BOX = { w: 212, h: 64, gapX: 44, gapY: 22, gapDown: 40, pad: 12 };
const LATER_MS = 150; // how long typing must pause before the cluster is rebuilt

/** An SVG element with attributes; children appended. */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, String(v));
  for (const c of children) if (c != null) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function shorten(text, max) {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

const placeOf = (p) => [displayPath(p.file ?? ''), p.line, p.column].filter((x) => x != null && x !== '').join(':');

/**
 * Ranks: 0 for a Kustomization that waits for nothing, else one more than
 * the longest chain before it (its dependsOn and the parent that applies
 * it). A cycle (an order error) is cut where it closes.
 */
export function ranks(kustomizations, edges) {
  const before = new Map(kustomizations.map((k) => [k.key, []]));
  for (const e of edges) if (before.has(e.to) && before.has(e.from)) before.get(e.to).push(e.from);
  const rank = new Map();
  const visiting = new Set();
  const visit = (key) => {
    if (rank.has(key)) return rank.get(key);
    if (visiting.has(key)) return -1; // the cycle closes here
    visiting.add(key);
    let r = 0;
    for (const from of before.get(key)) r = Math.max(r, visit(from) + 1);
    visiting.delete(key);
    rank.set(key, r);
    return r;
  };
  for (const k of kustomizations) visit(k.key);
  return rank;
}

export class ClusterView {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.key = null; // the results array the view was built from
    this.data = null; // flux() of the cluster shown
    this.dir = null;
    this.timer = 0;
    this.lastMs = null; // how long the last flux() took
    this.viewer = null;
    this.yamlHost = el('div', { className: 'cl-yaml output' });
    this.token = 0;

    this.select = el('select', { id: 'cl-cluster', onchange: () => this.choose(this.select.value) });
    this.timing = el('span', { className: 'cl-timing' });
    this.head = el('div', { className: 'cl-head' },
      el('label', { htmlFor: 'cl-cluster' }, 'Cluster'), this.select, this.timing);
    this.summary = el('p', { className: 'cl-summary' });
    this.orderError = el('div', { className: 'cl-order-error' });
    this.graph = el('div', { className: 'cl-graph' });
    this.order = el('section', { className: 'cl-order', ariaLabel: 'Reconcile order' });
    this.details = el('section', { className: 'cl-details', ariaLive: 'polite' });
    this.body = el('div', { className: 'cl-body' }, this.summary, this.orderError, this.graph, this.order, this.details);
    this.node.classList.add('cluster-view');
    this.down = false;
    new ResizeObserver(() => {
      if (!this.data?.ok || this.node.hidden) return;
      const k = this.data.kustomizations;
      const ranksN = new Set(ranks(k, this.data.edges).values()).size;
      const wide = BOX.pad * 2 + ranksN * BOX.w + (ranksN - 1) * BOX.gapX;
      if ((ranksN > 1 && wide > this.graph.clientWidth) !== this.down) this.drawGraph(this.selectedKey());
    }).observe(this.graph);
    this.node.replaceChildren(this.head, this.body);
  }

  settings() { return this.ctx.settings('clusters'); }

  update() {
    const results = this.ctx.results();
    if (results === this.key) return;
    if (this.data == null) { this.rebuild(); return; }
    // Files changed while the view is shown: rebuild once the typing pauses.
    this.node.setAttribute('aria-busy', 'true');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { if (!this.node.hidden) this.rebuild(); }, LATER_MS);
  }

  /** The user picked another cluster. */
  choose(dir) {
    this.settings().cluster = dir;
    this.settings().selected = '';
    this.ctx.save();
    this.rebuild();
  }

  /** Builds the cluster (flux()) and redraws everything. */
  async rebuild() {
    clearTimeout(this.timer);
    const token = ++this.token;
    this.node.setAttribute('aria-busy', 'true');
    const engine = this.ctx.engine();
    this.key = this.ctx.results();
    if (!engine) return;
    // On the background thread: a big cluster takes seconds to build, and
    // the renders a keystroke waits for go on meanwhile.
    const listed = await engineReply(async () => ({ ok: true, clusters: await engine.bg.call('clusters') }));
    if (token !== this.token) return;
    if (!listed.ok) { this.node.removeAttribute('aria-busy'); this.dir = this.dir ?? ''; this.showFailure(listed.errors); return; }
    const clusters = listed.clusters;
    const wanted = this.settings().cluster;
    const dir = clusters.some((c) => c.path === wanted) ? wanted : clusters[0]?.path ?? null;
    this.fillSelect(clusters, dir);
    if (!dir) {
      this.node.removeAttribute('aria-busy');
      this.data = null;
      this.dir = null;
      this.timing.textContent = '';
      this.body.replaceChildren(el('p', { className: 'empty' },
        'No Flux cluster in this tree: no folder holds a Kustomization of kustomize.toolkit.fluxcd.io. ',
        'Load the fleet-infra preset to see one.'));
      return;
    }
    if (this.body.firstChild !== this.summary) {
      this.body.replaceChildren(this.summary, this.orderError, this.graph, this.order, this.details);
    }
    const t0 = performance.now();
    const data = await engineReply(() => engine.bg.call('flux', dir, {}));
    if (token !== this.token) return;
    this.node.removeAttribute('aria-busy');
    this.lastMs = performance.now() - t0;
    this.dir = dir;
    this.data = data;
    this.timing.textContent = `built in ${this.lastMs.toFixed(1)} ms`;
    if (!data.ok) { this.showFailure(data.errors ?? []); return; }
    this.draw();
  }

  fillSelect(clusters, dir) {
    const same = this.select.options.length === clusters.length &&
      clusters.every((c, i) => this.select.options[i].value === c.path);
    if (!same) {
      this.select.replaceChildren(...clusters.map((c) => el('option', { value: c.path }, displayPath(c.path) || '/')));
    }
    this.select.disabled = clusters.length === 0;
    if (dir) this.select.value = dir;
  }

  showFailure(errors) {
    this.summary.textContent = `The cluster ${displayPath(this.dir)} could not be read:`;
    this.orderError.replaceChildren(this.errorList(errors));
    this.graph.replaceChildren();
    this.order.replaceChildren();
    this.details.replaceChildren();
  }

  /** The Kustomization shown below the graph: the saved one, else the first. */
  selectedKey() {
    const ks = this.data.kustomizations;
    const saved = this.settings().selected;
    return ks.some((k) => k.key === saved) ? saved : ks[0]?.key ?? null;
  }

  selectKs(key) {
    this.settings().selected = key;
    this.ctx.save();
    this.draw();
  }

  draw() {
    const d = this.data;
    const n = d.kustomizations.length;
    const failed = d.kustomizations.filter((k) => k.status === 'failed').length;
    this.summary.replaceChildren(
      `${n} Kustomization${n === 1 ? '' : 's'} in ${displayPath(d.dir)}`,
      d.rootKustomization ? `, applied by ${d.rootKustomization}` : '',
      `; source root ${d.root}`,
      failed ? el('strong', { className: 'cl-bad' }, ` — ${failed} failed`) : '',
      '.');
    this.orderError.replaceChildren();
    if (d.orderError) {
      this.orderError.append(el('p', { className: 'error' },
        el('strong', {}, 'No reconcile order: '),
        this.placeLink(d.orderError),
        ` ${d.orderError.message}. Flux reconciles none of the Kustomizations caught in this; they are listed below in declaration order.`));
    }
    const selected = this.selectedKey();
    // A part that cannot be drawn says why; the others are still shown.
    for (const [part, node, draw] of [
      ['graph', this.graph, () => this.drawGraph(selected)],
      ['reconcile order', this.order, () => this.drawOrder(selected)],
      ['details', this.details, () => this.drawDetails(d.kustomizations.find((k) => k.key === selected))],
    ]) {
      try {
        draw();
      } catch (error) {
        console.warn(error);
        node.replaceChildren(el('p', { className: 'error' }, `The ${part} could not be drawn (${error?.message ?? error}); please report the repository that caused it.`));
      }
    }
  }

  /** Zoom of the graph: 1 is natural size; 'fit' scales a wide cluster into the pane. */
  zoomTo(z) {
    this.settings().zoom = String(z);
    this.applyZoom();
  }

  applyZoom() {
    const image = this.graph.querySelector('svg.cl-svg');
    if (!image) return;
    const w = Number(image.dataset.width), h = Number(image.dataset.height);
    const saved = this.settings().zoom;
    const fit = Math.min(1, (image.parentElement.clientWidth || this.graph.clientWidth || w) / w);
    // Unset: fit the pane, but never so small that the labels cannot be read (then scroll).
    const z = saved === 'fit' ? fit : saved == null ? Math.max(fit, 0.6) : Math.max(0.2, Math.min(2, Number(saved) || 1));
    image.setAttribute('width', String(Math.round(w * z)));
    image.setAttribute('height', String(Math.round(h * z)));
    this.zoomLabel.textContent = `${Math.round(z * 100)}%`;
  }

  drawGraph(selected) {
    const { kustomizations: ks, edges } = this.data;
    if (!ks.length) { this.graph.replaceChildren(); return; }
    const rank = ranks(ks, edges);
    const columns = [];
    for (const k of ks) (columns[rank.get(k.key)] ??= []).push(k);
    // Ranks left to right; top to bottom when that would not fit (a phone).
    const most = Math.max(...columns.map((c) => c.length));
    const wide = BOX.pad * 2 + columns.length * BOX.w + (columns.length - 1) * BOX.gapX;
    const room = this.graph.clientWidth;
    const down = columns.length > 1 && room > 0 && wide > room;
    this.down = down;
    const pos = new Map();
    // Top to bottom, a rank wider than the pane wraps into rows (a real
    // cluster has one Kustomization applying 80 others: one rank of 80).
    const perRow = down ? Math.max(2, Math.min(most, Math.floor((room / 0.75 - 2 * BOX.pad + BOX.gapY) / (BOX.w + BOX.gapY)))) : most;
    let y = BOX.pad;
    columns.forEach((col, c) => {
      col.forEach((k, r) => pos.set(k.key, down
        ? { x: BOX.pad + (r % perRow) * (BOX.w + BOX.gapY), y: y + Math.floor(r / perRow) * (BOX.h + BOX.gapY) }
        : { x: BOX.pad + c * (BOX.w + BOX.gapX), y: BOX.pad + r * (BOX.h + BOX.gapY) }));
      if (down) y += Math.ceil(col.length / perRow) * (BOX.h + BOX.gapY) - BOX.gapY + BOX.gapDown;
    });
    const drawn = edges.filter((e) => pos.has(e.from) && pos.has(e.to));
    // An edge against the ranks (a cycle) loops around the boxes: below
    // them left to right, beside them top to bottom; that needs room.
    const backwards = (a, b) => (down ? b.y <= a.y : b.x <= a.x);
    const loops = drawn.some((e) => backwards(pos.get(e.from), pos.get(e.to)));
    const LOOP = 36;
    const width = (down ? BOX.pad * 2 + Math.min(most, perRow) * (BOX.w + BOX.gapY) - BOX.gapY : wide) + (down && loops ? LOOP : 0);
    const height = (down
      ? y - BOX.gapDown + BOX.pad
      : BOX.pad * 2 + most * (BOX.h + BOX.gapY) - BOX.gapY) + (!down && loops ? LOOP : 0);

    const defs = svg('defs', {},
      svg('marker', { id: 'cl-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'cl-arrowhead' })));
    const lines = drawn.map((e) => {
      const a = pos.get(e.from), b = pos.get(e.to);
      let d;
      if (backwards(a, b) && !down) {
        const x1 = a.x + BOX.w / 2 + 12, y1 = a.y + BOX.h, x2 = b.x + BOX.w / 2 - 12, y2 = b.y + BOX.h + 2;
        const out = Math.max(y1, y2) + LOOP;
        d = `M${x1},${y1} C${x1},${out} ${x2},${out} ${x2},${y2}`;
      } else if (backwards(a, b)) {
        const x1 = a.x + BOX.w, y1 = a.y + BOX.h / 2 + 10, x2 = b.x + BOX.w + 2, y2 = b.y + BOX.h / 2 - 10;
        const out = Math.max(x1, x2) + LOOP;
        d = `M${x1},${y1} C${out},${y1} ${out},${y2} ${x2},${y2}`;
      } else if (down) {
        const x1 = a.x + BOX.w / 2, y1 = a.y + BOX.h, x2 = b.x + BOX.w / 2, y2 = b.y - 2, mid = (y1 + y2) / 2;
        d = `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`;
      } else {
        const x1 = a.x + BOX.w, y1 = a.y + BOX.h / 2, x2 = b.x - 2, y2 = b.y + BOX.h / 2, mid = (x1 + x2) / 2;
        d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
      }
      return svg('path', { d, class: `cl-edge ${e.kind}`, 'marker-end': 'url(#cl-arrow)' },
        svg('title', {}, e.kind === 'applies' ? `${e.from} applies ${e.to}` : `${e.to} depends on ${e.from}`));
    });
    const nodes = ks.map((k) => {
      const { x, y } = pos.get(k.key);
      const flags = [STATUS_TEXT[k.status] ?? k.status,
        k.status === 'rendered' || k.status === 'suspended' ? `${k.objects.length} obj` : null,
        k.prune ? 'prune' : 'no prune', k.wait ? 'wait' : null].filter(Boolean).join(' · ');
      const g = svg('g', {
        class: `cl-node ${k.status}${k.key === selected ? ' selected' : ''}`,
        transform: `translate(${x},${y})`,
        'data-key': k.key,
      },
      svg('title', {}, `${k.key}\n${k.path} (${displayPath(k.dir)})\n${flags}${k.reason ? `\n${k.reason}` : ''}`),
      svg('rect', { width: BOX.w, height: BOX.h, rx: 7 }),
      svg('text', { x: 10, y: 19, class: 'cl-name' }, shorten(k.name, 26)),
      svg('text', { x: 10, y: 36, class: 'cl-path' }, shorten(k.path, 30)),
      svg('text', { x: 10, y: 53, class: 'cl-flags' }, flags));
      g.addEventListener('click', () => this.selectKs(k.key));
      return g;
    });
    const order = this.data.kustomizations.map((k) => k.name).join(', then ');
    const image = svg('svg', {
      role: 'img',
      'aria-label': `Dependency graph of ${ks.length} Kustomization${ks.length === 1 ? '' : 's'}, ` +
        (this.data.orderError ? 'with no reconcile order (see the error above).' : `reconciled ${order}.`) +
        ' The list below says the same in text.',
      viewBox: `0 0 ${width} ${height}`,
      width, height,
      'data-width': width, 'data-height': height,
      class: 'cl-svg',
    }, defs, ...lines, ...nodes);
    // A big cluster (80+ Kustomizations) scrolls at a readable size; the
    // buttons zoom out to see all of it, or in.
    this.zoomLabel ??= el('span', { className: 'cl-zoom-level' });
    const step = (f) => () => {
      const cur = Number(this.graph.querySelector('svg.cl-svg')?.getAttribute('width')) / width || 1;
      this.zoomTo(Math.max(0.2, Math.min(2, cur * f)));
    };
    const zoom = el('div', { className: 'cl-zoom' },
      el('button', { type: 'button', className: 'small', ariaLabel: 'Zoom out', title: 'Zoom out', onclick: step(1 / 1.25) }, '−'),
      this.zoomLabel,
      el('button', { type: 'button', className: 'small', ariaLabel: 'Zoom in', title: 'Zoom in', onclick: step(1.25) }, '+'),
      el('button', { type: 'button', className: 'small', title: 'Fit the whole graph in the pane', onclick: () => this.zoomTo('fit') }, 'Fit'),
      el('button', { type: 'button', className: 'small', title: 'Natural size (scroll to move)', onclick: () => this.zoomTo(1) }, '100%'));
    this.graph.replaceChildren(zoom, el('div', { className: 'cl-canvas' }, image),
      el('p', { className: 'cl-legend', ariaHidden: 'true' },
        el('span', {}, el('span', { className: 'cl-key depends' }), ' depends on (arrow to the one that waits)'),
        el('span', {}, el('span', { className: 'cl-key applies' }), ' applies (parent to child)')));
    this.applyZoom();
  }

  drawOrder(selected) {
    const d = this.data;
    const byKey = new Map(d.kustomizations.map((k) => [k.key, k]));
    const parentOf = new Map(d.edges.filter((e) => e.kind === 'applies').map((e) => [e.to, e.from]));
    this.order.replaceChildren(
      el('h3', {}, d.orderError ? 'Kustomizations (declaration order: no reconcile order)' : 'Reconcile order'),
      el('ol', { className: 'cl-order-list' }, ...d.order.map((key) => {
        const k = byKey.get(key);
        const after = [
          k.dependsOn.length ? `after ${k.dependsOn.join(', ')}` : 'waits for nothing',
          parentOf.has(key) ? `applied by ${parentOf.get(key)}` : null,
        ].filter(Boolean).join('; ');
        return el('li', { className: `cl-item ${k.status}` },
          el('button', {
            type: 'button', className: 'cl-pick', ariaPressed: String(key === selected),
            title: `Show what ${key} applies`, onclick: () => this.selectKs(key),
          }, k.name),
          ' ',
          el('span', { className: 'cl-meta' }, `${k.namespace} · ${k.path} · ${STATUS_TEXT[k.status] ?? k.status} · ${after}`));
      })));
  }

  drawDetails(k) {
    if (!k) { this.details.replaceChildren(); return; }
    const findings = this.data.findings.filter((f) => f.file === k.declaredAt?.file)
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    const parts = [
      el('h3', {}, 'What ', el('code', {}, k.key), ' applies ',
        el('span', { className: `cl-status ${k.status}` }, STATUS_TEXT[k.status] ?? k.status)),
      el('p', { className: 'cl-decl' },
        'Declared in ',
        k.declaredAt?.file ? this.placeLink(k.declaredAt) : '(unknown)',
        `; builds ${k.path} (${displayPath(k.dir) || '/'})`,
        k.sourceRef ? ` from ${k.sourceRef.kind} ${k.sourceRef.namespace}/${k.sourceRef.name}` : '',
        '.'),
      el('p', { className: 'cl-flagline' },
        `prune: ${k.prune} · wait: ${k.wait} · suspend: ${k.suspend}`,
        k.dependsOn.length ? ` · dependsOn: ${k.dependsOn.join(', ')}` : '',
        k.parent ? ` · applied by ${k.parent}` : ''),
    ];
    if (k.reason) parts.push(el('p', { className: 'cl-reason' }, k.reason));
    if (k.errors.length) parts.push(el('h4', {}, 'Errors'), this.errorList(k.errors));
    if (k.warnings.length) {
      parts.push(el('h4', {}, 'Warnings'), el('ul', { className: 'cl-warnings' }, ...k.warnings.map((w) => el('li', {}, w))));
    }
    if (findings.length) {
      parts.push(el('h4', {}, 'Lint findings in its declaration'), el('ul', { className: 'cl-warnings' }, ...findings.map((f) =>
        el('li', {}, this.placeLink(f), ` ${f.message} `, el('span', { className: 'cl-rule' }, `[${f.rule}]`)))));
    }
    if (k.healthChecks.length) {
      parts.push(el('h4', {}, 'Health checks'), el('ul', { className: 'cl-checks' }, ...k.healthChecks.map((h) =>
        el('li', {}, `${h.kind} ${h.namespace ? `${h.namespace}/` : ''}${h.name}`, el('span', { className: 'cl-meta' }, ` ${h.apiVersion ?? ''}`)))));
      if (k.wait) parts.push(el('p', { className: 'cl-meta' }, 'wait: true checks every applied object, so these are ignored.'));
    }
    if (k.status === 'rendered' || k.status === 'suspended') {
      parts.push(el('h4', {}, `Objects in apply order (${k.objects.length})`));
      let n = 1;
      for (const [stage, title] of STAGES) {
        const objs = k.objects.filter((o) => o.stage === stage);
        if (!objs.length) continue;
        parts.push(el('h5', { className: 'cl-stage' }, title),
          el('ol', { className: 'cl-objects', start: n }, ...objs.map((o) =>
            el('li', {}, el('span', { className: 'cl-kind' }, o.kind), ' ',
              `${o.namespace ? `${o.namespace}/` : ''}${o.name}`, el('span', { className: 'cl-meta' }, ` ${o.apiVersion}`)))));
        n += objs.length;
      }
      if (k.skipped.length) {
        parts.push(el('h5', { className: 'cl-stage' }, 'Not applied (marked to skip)'),
          el('ul', { className: 'cl-objects' }, ...k.skipped.map((o) => el('li', {}, `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`))));
      }
      parts.push(el('h4', {}, 'Rendered YAML, with the owner labels'), this.yamlHost);
      if (!this.viewer) this.viewer = createViewer(this.yamlHost, { text: k.output, label: 'YAML applied by the selected Kustomization' });
      else setText(this.viewer, k.output);
    }
    this.details.replaceChildren(...parts);
  }

  placeLink(p) {
    const where = placeOf(p);
    if (!p.file) return el('span', {}, where);
    return el('button', {
      type: 'button', className: 'error-link', title: 'Open this place in the editor',
      onclick: () => this.ctx.openFile(displayPath(p.file), p.line, p.column),
    }, where);
  }

  errorList(errors) {
    return el('ul', { className: 'errors' }, ...errors.map((e) =>
      el('li', { className: 'error' }, e.file ? this.placeLink(e) : null, e.file ? ': ' : '', e.message)));
  }

  /** The rendered text of the selected Kustomization (for tests). */
  text() {
    return this.viewer?.state.doc.toString() ?? '';
  }
}
