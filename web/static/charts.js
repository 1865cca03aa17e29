// Line charts drawn as SVG by hand (no library): linear or log y axis, several series, each a
// line and/or dots, "nice" ticks, and a legend in HTML below with each series' latest value.
//
//   const c = new LineChart(div, { log: true, yFormat: v => ..., xLabel: 'epoch' });
//   c.set([{ label: 'train', color: '#1f77b4', points: [[x, y], ...], dots: false }]);
//
// The chart draws at the size of its box (re-drawn when the box changes, e.g. in projector
// mode), and at most one point per pixel column and series (min and max kept), so that a long
// run of steps costs the same to draw as a short one.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';

// Colours that stay apart for colour-blind readers (Okabe–Ito, then Tableau), on white and black.
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#b8a000', '#8c564b',
                 '#7f7f7f', '#17becf', '#9467bd', '#bcbd22'];
const PALETTE_DARK = ['#4fb3ff', '#ffc233', '#3ee0a8', '#ff7a33', '#ff8fd6', '#9ad9ff', '#fff176', '#d7a98c',
                      '#cfcfcf', '#5ef0ff', '#c9a4ff', '#e5e84a'];
function seriesColor(i) {
  const dark = document.body.classList.contains('projector');
  const p = dark ? PALETTE_DARK : PALETTE;
  return p[i % p.length];
}

// Ticks at 1, 2 or 5 times a power of ten, about n of them, covering [lo, hi].
function niceTicks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * p).find(s => s >= raw) || 10 * p;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// Log-scale ticks: powers of ten, with 2 and 5 between them when the range is short.
function logTicks(lo, hi) {
  const out = [];
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const mids = b - a <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((b - a) / 6));
  for (let e = a; e <= b; e += every) {
    for (const m of mids) {
      const v = m * Math.pow(10, e);
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

function tickLabel(v, log) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (log || a < 1e-3 || a >= 1e5) {
    const e = Math.floor(Math.log10(a) + 1e-9), m = v / Math.pow(10, e);
    if (a >= 1e-2 && a < 1e4) return String(Number(v.toPrecision(3)));
    return (Math.abs(m - 1) < 1e-6 ? '' : Number(m.toPrecision(2)) + '·') + '10' + superscript(e);
  }
  return String(Number(v.toPrecision(4)));
}
function superscript(n) {
  const d = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
  return String(n).split('').map(c => d[c] || c).join('');
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// At most two points (the lowest and the highest) per pixel column, in x order.
function thin(pts, sx, sy) {
  const out = [];
  let col = null, lo = null, hi = null, first = null, last = null;
  const flush = () => {
    if (col === null) return;
    const a = [first, lo, hi, last].filter((p, i, arr) => arr.indexOf(p) === i);
    a.sort((p, q) => p[0] - q[0]);
    for (const p of a) out.push(p);
  };
  for (const p of pts) {
    const c = Math.round(sx(p[0]));
    if (c !== col) { flush(); col = c; lo = hi = first = last = p; continue; }
    if (sy(p[1]) > sy(lo[1])) lo = p;
    if (sy(p[1]) < sy(hi[1])) hi = p;
    last = p;
  }
  flush();
  return out;
}

class LineChart {
  constructor(box, opts) {
    this.box = box;
    this.opts = Object.assign({ log: false, xLabel: '', yFormat: null, yMin: null, yMax: null,
                                legendFormat: null, empty: 'no data', aspect: 0.5 }, opts || {});
    this.series = [];
    box.classList.add('chart');
    this.plot = document.createElement('div');
    this.legend = document.createElement('div');
    this.legend.className = 'legend';
    box.append(this.plot, this.legend);
    this.pending = false;
    if (window.ResizeObserver) {
      let w = 0;
      new ResizeObserver(() => { if (box.clientWidth !== w) { w = box.clientWidth; this.render(); } }).observe(box);
    }
    window.addEventListener('nabla:layout', () => this.render());
  }

  set(series) { this.series = series; this.schedule(); }

  // Draw on the next frame (many events may arrive in one).
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.render(); });
  }

  render() {
    const o = this.opts, box = this.box;
    const proj = document.body.classList.contains('projector');
    const fs = proj ? 20 : 12;
    const W = Math.max(200, box.clientWidth || 400);
    // in projector mode a chart and its legend fit in about 40% of the screen's height
    const H = Math.round(Math.max(proj ? 220 : 170, Math.min(W * o.aspect, proj ? window.innerHeight * 0.4 : 320)));
    const ok = (p) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!o.log || p[1] > 0);
    const series = this.series.map((s, i) => Object.assign({ color: s.color || seriesColor(i) }, s,
                                                           { points: (s.points || []).filter(ok) }));
    const all = series.flatMap(s => s.points);
    const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img' });

    // y range
    let ylo = Infinity, yhi = -Infinity, xlo = Infinity, xhi = -Infinity;
    for (const p of all) { ylo = Math.min(ylo, p[1]); yhi = Math.max(yhi, p[1]); xlo = Math.min(xlo, p[0]); xhi = Math.max(xhi, p[0]); }
    if (o.yMin !== null) ylo = Math.min(ylo, o.yMin);
    if (o.yMax !== null) yhi = Math.max(yhi, o.yMax);
    if (o.xMin !== undefined && o.xMin !== null) xlo = Math.min(xlo, o.xMin);
    if (o.xMax !== undefined && o.xMax !== null) xhi = Math.max(xhi, o.xMax);
    if (!all.length) { xlo = o.xMin || 0; xhi = o.xMax || 1; ylo = o.log ? 0.1 : 0; yhi = o.log ? 10 : 1; }
    if (xhi <= xlo) xhi = xlo + 1;
    let yticks;
    if (o.log) {
      if (yhi <= ylo) { ylo /= 2; yhi *= 2; }
      ylo = Math.pow(10, Math.floor(Math.log10(ylo) * 4) / 4);
      yhi = Math.pow(10, Math.ceil(Math.log10(yhi) * 4) / 4);
      yticks = logTicks(ylo, yhi);
    } else {
      if (yhi <= ylo) { const d = Math.abs(ylo) * 0.1 || 1; ylo -= d; yhi += d; }
      const pad = (yhi - ylo) * 0.06;
      if (o.yMin === null || ylo < o.yMin) ylo -= pad;
      if (o.yMax === null || yhi > o.yMax) yhi += pad;
      if (o.yMin !== null && ylo < o.yMin && o.clampMin) ylo = o.yMin;
      if (o.yMax !== null && yhi > o.yMax && o.clampMax) yhi = o.yMax;
      yticks = niceTicks(ylo, yhi, Math.max(3, Math.round(H / (fs * 4))));
    }
    const xticks = niceTicks(xlo, xhi, Math.max(2, Math.round(W / (fs * 7))));
    const fy = o.yFormat || ((v) => tickLabel(v, o.log));
    const labelW = Math.max(...yticks.map(v => fy(v).length), 2) * fs * 0.62;
    const L = Math.ceil(labelW + fs * 0.8), R = Math.ceil(fs * 1.2), T = Math.ceil(fs * 0.8), B = Math.ceil(fs * 2.9);
    const pw = W - L - R, ph = H - T - B;
    const ly = (v) => (o.log ? Math.log10(v) : v);
    const sx = (x) => L + (x - xlo) / (xhi - xlo) * pw;
    const sy = (y) => T + ph - (ly(y) - ly(ylo)) / (ly(yhi) - ly(ylo)) * ph;

    const grid = svg('g', { class: 'grid' }), axis = svg('g', { class: 'axis' });
    for (const v of yticks) {
      const y = sy(v);
      if (y < T - 0.5 || y > T + ph + 0.5) continue;
      grid.append(svg('line', { x1: L, x2: L + pw, y1: y, y2: y }));
      axis.append(svg('text', { x: L - fs * 0.4, y: y + fs * 0.35, 'text-anchor': 'end' }, fy(v)));
    }
    for (const v of xticks) {
      const x = sx(v);
      grid.append(svg('line', { x1: x, x2: x, y1: T, y2: T + ph }));
      axis.append(svg('text', { x, y: T + ph + fs * 1.3, 'text-anchor': 'middle' }, tickLabel(v, false)));
    }
    axis.append(svg('path', { d: `M${L},${T}V${T + ph}H${L + pw}`, fill: 'none' }));
    if (o.xLabel) axis.append(svg('text', { x: L + pw, y: H - fs * 0.25, 'text-anchor': 'end' }, o.xLabel));
    root.append(grid, axis);

    if (!all.length) {
      root.append(svg('text', { x: L + pw / 2, y: T + ph / 2, 'text-anchor': 'middle', class: 'empty' }, o.empty));
    }
    const clipId = 'clip' + Math.random().toString(36).slice(2);
    const clip = svg('clipPath', { id: clipId });
    clip.append(svg('rect', { x: L - 6, y: T - 6, width: pw + 12, height: ph + 12 }));
    root.append(clip);
    const g = svg('g', { 'clip-path': `url(#${clipId})` });
    for (const s of series) {
      if (!s.points.length) continue;
      if (s.line !== false) {
        const pts = thin(s.points, sx, sy);
        const d = pts.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1)).join('');
        const path = svg('path', { d, class: 'series', stroke: s.color });
        if (s.dash) path.setAttribute('stroke-dasharray', s.dash);
        if (s.thin) path.style.strokeWidth = 'calc(var(--stroke) * 0.7)';
        g.append(path);
      }
      if (s.dots) {
        const r = proj ? 6 : 3.5;
        for (const p of s.points.length > 400 ? thin(s.points, sx, sy) : s.points) {
          g.append(svg('circle', { cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r, fill: s.color }));
        }
      }
    }
    root.append(g);

    // what a screen reader says, and the latest values in the legend
    const summary = series.map(s => s.label + ': ' + (s.points.length ? this.fmtLegend(s.points[s.points.length - 1][1]) : '–'));
    root.setAttribute('aria-label', (o.title ? o.title + '. ' : '') + summary.join(', '));
    this.plot.replaceChildren(root);
    this.legend.replaceChildren(...series.map(s => {
      const item = document.createElement('span');
      const sw = document.createElement('span');
      sw.className = 'sw' + (s.line === false ? ' dot' : '');
      sw.style.background = s.color;
      const val = document.createElement('span');
      val.className = 'val';
      val.textContent = s.points.length ? this.fmtLegend(s.points[s.points.length - 1][1]) : '–';
      item.append(sw, s.label, val);
      item.dataset.count = s.points.length;
      return item;
    }));
    box.dataset.points = all.length;
  }

  fmtLegend(v) { return this.opts.legendFormat ? this.opts.legendFormat(v) : tickLabel(v, false); }
}
