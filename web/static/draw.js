// /draw: a canvas for mouse, finger and pen (pointer events). When a stroke ends the canvas
// goes to POST /predict as a PNG (dark ink on white paper; the server crops, scales and
// centres it as MNIST was made), and the page shows what came back: the 28×28 image as the
// model saw it, the ten probabilities as bars (the winner highlighted), and every layer's
// activations (conv feature maps as small greyscale images, linear layers as a strip).
'use strict';

nabla.start('draw', (state) => {
  const { t, el } = nabla;
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const hint = document.getElementById('pad-hint');
  const statusEl = document.getElementById('status');
  const digitEl = document.getElementById('digit');
  const confEl = document.getElementById('conf');
  const seen = document.getElementById('seen');
  const barsEl = document.getElementById('bars');
  const layersEl = document.getElementById('layers');
  const layersNone = document.getElementById('layers-none');
  const showLayers = document.getElementById('show-layers');
  const quick = document.getElementById('quick');
  const answerCard = document.getElementById('answer-card');
  let classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

  // ---- the model line -------------------------------------------------------------------
  const modelLine = document.getElementById('model-line');
  function showModel(m) {
    if (!m) { modelLine.textContent = t('draw.nomodel'); return; }
    if (Array.isArray(m.classes) && m.classes.length) classes = m.classes.map(String);
    let s = t('draw.model', { name: m.name || '?', params: nabla.int(m.parameters) });
    if (Number.isFinite(m.test_accuracy)) s += ' · ' + t('draw.acc', { acc: nabla.pct(m.test_accuracy, 2) });
    modelLine.textContent = s;
  }
  if (state && 'model' in state) showModel(state.model);
  else nabla.json('/model').then(showModel, () => showModel(null));

  // ---- the ten bars ---------------------------------------------------------------------
  const bars = [];
  function buildBars() {
    barsEl.replaceChildren();
    bars.length = 0;
    classes.forEach((c, i) => {
      const lbl = el('span', { class: 'lbl', text: c });
      const fill = el('div', { class: 'fill' });
      const track = el('div', { class: 'track', role: 'meter', 'aria-label': c, 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': 0 }, fill);
      const pctEl = el('span', { class: 'pct', text: '–' });
      barsEl.append(lbl, track, pctEl);
      bars.push({ lbl, track, fill, pct: pctEl, row: i });
    });
  }
  buildBars();

  // ---- drawing ----------------------------------------------------------------------------
  const INK = '#111111';
  let inked = false;
  let active = null;      // the pointer that draws; other fingers are ignored
  let pts = [];           // the current stroke, in canvas pixels

  function paper() {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, pad.width, pad.height);
  }
  paper();

  function pos(ev) {
    const r = pad.getBoundingClientRect();
    return [(ev.clientX - r.left) * pad.width / r.width, (ev.clientY - r.top) * pad.height / r.height];
  }
  function width() { return pad.width / 16; }

  // Smooth strokes: quadratic curves through the midpoints of successive points.
  function drawTo(p) {
    pts.push(p);
    const n = pts.length;
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = width();
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (n === 1) {
      ctx.beginPath();
      ctx.arc(p[0], p[1], width() / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    const a = pts[n - 3], b = pts[n - 2], c = pts[n - 1];
    ctx.beginPath();
    if (!a) {
      ctx.moveTo(b[0], b[1]);
      ctx.lineTo((b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
    } else {
      ctx.moveTo((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
      ctx.quadraticCurveTo(b[0], b[1], (b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
    }
    ctx.stroke();
  }
  function finishStroke() {
    const n = pts.length;
    if (n >= 2) {
      const b = pts[n - 2], c = pts[n - 1];
      ctx.beginPath();
      ctx.moveTo((b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
      ctx.lineTo(c[0], c[1]);
      ctx.stroke();
    }
    pts = [];
  }

  pad.addEventListener('pointerdown', (ev) => {
    if (active !== null || (ev.pointerType === 'mouse' && ev.button !== 0)) return;
    ev.preventDefault();
    active = ev.pointerId;
    try { pad.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic pointers */ }
    inked = true;
    hint.hidden = true;
    pts = [];
    drawTo(pos(ev));
  });
  pad.addEventListener('pointermove', (ev) => {
    if (ev.pointerId !== active) return;
    ev.preventDefault();
    const evs = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
    for (const e of evs.length ? evs : [ev]) drawTo(pos(e));
  });
  function end(ev) {
    if (ev.pointerId !== active) return;
    active = null;
    finishStroke();
    predict();
  }
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  pad.addEventListener('contextmenu', (ev) => ev.preventDefault());

  function clear() {
    paper();
    inked = false;
    active = null;
    pts = [];
    hint.hidden = false;
    digitEl.textContent = '?';
    digitEl.classList.add('none');
    delete digitEl.dataset.label;
    confEl.textContent = '';
    quick.textContent = '';
    statusEl.textContent = t('draw.waiting');
    statusEl.classList.remove('error');
    seen.getContext('2d').clearRect(0, 0, 28, 28);
    for (const b of bars) setBar(b, null, false);
    layersEl.replaceChildren();
    layersNone.hidden = false;
    lastLayout = '';
    seq++;
  }
  document.getElementById('clear').addEventListener('click', clear);
  document.addEventListener('keydown', (ev) => {
    if (ev.target.closest('input, textarea, select, button')) return;
    if (ev.key === 'Escape' || ev.key === 'Delete' || ev.key === 'Backspace') { ev.preventDefault(); clear(); }
  });
  showLayers.addEventListener('change', () => {
    document.getElementById('layers-card').hidden = !showLayers.checked;
    if (showLayers.checked && inked) predict();
  });

  // ---- asking the model -------------------------------------------------------------------
  // One request at a time; a stroke that ends meanwhile sends the newest drawing afterwards.
  let busy = false, again = false, seq = 0;
  async function predict() {
    if (!inked) { statusEl.textContent = t('draw.empty'); return; }
    if (busy) { again = true; return; }
    busy = true;
    answerCard.dataset.busy = '1';
    const mine = ++seq;
    statusEl.classList.remove('error');
    statusEl.textContent = t('draw.asking');
    try {
      const blob = await new Promise((res) => pad.toBlob(res, 'image/png'));
      const url = '/predict' + (showLayers.checked ? '?activations=1' : '');
      const r = await nabla.json(url, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: blob });
      if (mine === seq) show(r);
    } catch (e) {
      if (mine === seq) {
        statusEl.classList.add('error');
        statusEl.textContent = e.status ? t('draw.error', { msg: e.message }) : t('draw.offline', { msg: e.message });
      }
    } finally {
      busy = false;
      delete answerCard.dataset.busy;
      if (again) { again = false; predict(); }
    }
  }

  function setBar(b, p, win) {
    const ok = Number.isFinite(p);
    b.fill.style.width = ok ? (Math.max(0, Math.min(1, p)) * 100).toFixed(2) + '%' : '0';
    b.pct.textContent = ok ? nabla.pct(p, p >= 0.9995 || p < 0.0005 ? 1 : 1) : '–';
    b.track.setAttribute('aria-valuenow', ok ? p.toFixed(4) : 0);
    b.track.dataset.p = ok ? String(p) : '';
    for (const e of [b.lbl, b.track, b.pct]) e.classList.toggle('win', !!win);
  }

  let answers = 0;
  function show(r) {
    answerCard.dataset.answers = ++answers;      // how many answers were shown (the tests wait on it)
    const probs = r.probabilities || [];
    const label = r.label;
    if (probs.length !== bars.length) {
      classes = probs.map((_, i) => classes[i] !== undefined ? classes[i] : String(i));
      buildBars();
    }
    probs.forEach((p, i) => setBar(bars[i], p, i === label));
    digitEl.textContent = classes[label] !== undefined ? classes[label] : String(label);
    digitEl.dataset.label = String(label);
    digitEl.classList.remove('none');
    confEl.textContent = Number.isFinite(probs[label]) ? t('draw.conf', { p: nabla.pct(probs[label], 1) }) : '';
    quick.replaceChildren('→ ' + digitEl.textContent, el('small', { text: Number.isFinite(probs[label]) ? nabla.pct(probs[label], 0) : '' }));
    statusEl.textContent = Number.isFinite(r.ms) ? t('draw.took', { ms: r.ms < 10 ? r.ms.toFixed(2) : r.ms.toFixed(1) }) : '';
    if (Array.isArray(r.input)) paintGrey(seen, r.input, 28, 28, 0, 1);
    if (Array.isArray(r.activations) && showLayers.checked) showActivations(r.activations);
  }

  // Values lo..hi as grey levels 0..255 into a canvas of w×h pixels.
  function paintGrey(canvas, data, w, h, lo, hi, offset) {
    const off = offset || 0;
    const c = canvas.getContext('2d');
    const img = c.createImageData(w, h);
    const span = hi > lo ? hi - lo : 1;
    for (let i = 0; i < w * h; i++) {
      const v = data[off + i];
      const g = Number.isFinite(v) ? Math.round(Math.max(0, Math.min(1, (v - lo) / span)) * 255) : 0;
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    c.putImageData(img, 0, 0);
  }

  // The layers' DOM is built once per model (same names and shapes) and repainted after.
  let lastLayout = '', painters = [];
  function showActivations(acts) {
    layersNone.hidden = acts.length > 0;
    const layout = JSON.stringify(acts.map(a => [a.name, a.kind, a.shape]));
    if (layout !== lastLayout) {
      lastLayout = layout;
      painters = acts.map(buildLayer);
      layersEl.replaceChildren(...painters.map(p => p.node));
    }
    acts.forEach((a, i) => painters[i].paint(a));
  }

  function buildLayer(a) {
    const shape = Array.isArray(a.shape) ? a.shape : [];
    const title = el('h3', {}, el('span', { text: a.name + ' · ' + a.type }), el('span', { class: 'shape', text: '' }));
    const node = el('div', { class: 'layer', 'data-layer': a.name, 'data-kind': a.kind }, title);
    const shapeEl = title.lastChild;
    if (a.kind === 'maps' && shape.length === 3) {
      const [C, H, W] = shape;
      shapeEl.textContent = t('draw.maps', { n: C, h: H, w: W });
      const box = el('div', { class: 'maps' + (C > 32 ? ' small' : '') });
      const canvases = [];
      for (let c = 0; c < C; c++) {
        const cv = el('canvas', { width: W, height: H, title: a.name + ' #' + (c + 1) });
        canvases.push(cv);
        box.append(cv);
      }
      node.append(box);
      return { node, paint(a2) { canvases.forEach((cv, c) => paintGrey(cv, a2.data, W, H, 0, 1, c * H * W)); } };
    }
    // a vector (a linear layer's units), wrapped in rows of at most 64 cells
    const N = shape.length ? shape.reduce((x, y) => x * y, 1) : (a.data || []).length;
    shapeEl.textContent = t('draw.units', { n: N });
    const cols = Math.min(N, 64), rows = Math.ceil(N / cols);
    const cv = el('canvas', { class: 'strip', width: cols, height: rows });
    cv.style.width = `min(100%, ${cols * 1.6}rem)`;
    const scale = el('div', { class: 'strip-scale hint' });
    scale.style.width = cv.style.width;
    node.append(cv, scale);
    return {
      node,
      paint(a2) {
        const d = a2.data || [];
        let lo = Infinity, hi = -Infinity;
        for (const v of d) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(hi > lo)) { lo = Math.min(0, lo); hi = lo + 1; }
        const padded = d.concat(new Array(cols * rows - d.length).fill(NaN));
        paintGrey(cv, padded, cols, rows, lo, hi);
        scale.textContent = t('draw.strip.range', { lo: nabla.fmt(lo, 3), hi: nabla.fmt(hi, 3) });
      },
    };
  }

  statusEl.textContent = t('draw.waiting');
  pad.focus({ preventScroll: true });
});
