// /draw: a canvas for mouse, finger and pen (pointer events). Two modes: one digit (below)
// and a line of digits (a wide canvas sent to POST /read; the boxes and text read are drawn
// over it). When a stroke ends the digit canvas
// goes to POST /predict as a PNG (dark ink on white paper; the server crops, scales and
// centres it as MNIST was made), and the page shows what came back: the 28×28 image as the
// model saw it, the ten probabilities as bars (the winner highlighted), and every layer's
// activations (conv feature maps as small greyscale images, linear layers as a strip).
'use strict';

nabla.start('draw', (state) => {
  const { t, el } = nabla;
  const pad = document.getElementById('pad');
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
  // A canvas to draw on with mouse, finger or pen: white paper, dark round strokes as wide as
  // a sixteenth of its height. onEnd() is called when a stroke ends.
  const INK = '#111111';
  function drawingPad(canvas, hintEl, onEnd) {
    const c2d = canvas.getContext('2d');
    const p = { inked: false };
    let active = null;      // the pointer that draws; other fingers are ignored
    let pts = [];           // the current stroke, in canvas pixels
    p.paper = () => {
      c2d.fillStyle = '#ffffff';
      c2d.fillRect(0, 0, canvas.width, canvas.height);
    };
    p.paper();
    function pos(ev) {
      const r = canvas.getBoundingClientRect();
      return [(ev.clientX - r.left) * canvas.width / r.width, (ev.clientY - r.top) * canvas.height / r.height];
    }
    function width() { return canvas.height / 16; }
    // Smooth strokes: quadratic curves through the midpoints of successive points.
    function drawTo(q) {
      pts.push(q);
      const n = pts.length;
      c2d.strokeStyle = INK;
      c2d.fillStyle = INK;
      c2d.lineWidth = width();
      c2d.lineCap = 'round';
      c2d.lineJoin = 'round';
      if (n === 1) {
        c2d.beginPath();
        c2d.arc(q[0], q[1], width() / 2, 0, 2 * Math.PI);
        c2d.fill();
        return;
      }
      const a = pts[n - 3], b = pts[n - 2], c = pts[n - 1];
      c2d.beginPath();
      if (!a) {
        c2d.moveTo(b[0], b[1]);
        c2d.lineTo((b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
      } else {
        c2d.moveTo((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
        c2d.quadraticCurveTo(b[0], b[1], (b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
      }
      c2d.stroke();
    }
    function finishStroke() {
      const n = pts.length;
      if (n >= 2) {
        const b = pts[n - 2], c = pts[n - 1];
        c2d.beginPath();
        c2d.moveTo((b[0] + c[0]) / 2, (b[1] + c[1]) / 2);
        c2d.lineTo(c[0], c[1]);
        c2d.stroke();
      }
      pts = [];
    }
    canvas.addEventListener('pointerdown', (ev) => {
      if (active !== null || (ev.pointerType === 'mouse' && ev.button !== 0)) return;
      ev.preventDefault();
      active = ev.pointerId;
      try { canvas.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic pointers */ }
      p.inked = true;
      hintEl.hidden = true;
      pts = [];
      drawTo(pos(ev));
    });
    canvas.addEventListener('pointermove', (ev) => {
      if (ev.pointerId !== active) return;
      ev.preventDefault();
      const evs = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
      for (const e of evs.length ? evs : [ev]) drawTo(pos(e));
    });
    function end(ev) {
      if (ev.pointerId !== active) return;
      active = null;
      finishStroke();
      onEnd();
    }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('contextmenu', (ev) => ev.preventDefault());
    p.clear = () => {
      p.paper();
      p.inked = false;
      active = null;
      pts = [];
      hintEl.hidden = false;
    };
    return p;
  }
  const digitPad = drawingPad(pad, hint, () => predict());

  function clear() {
    digitPad.clear();
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
    if (ev.key === 'Escape' || ev.key === 'Delete' || ev.key === 'Backspace') {
      ev.preventDefault();
      if (mode === 'line') clearLine(); else clear();
    }
  });
  showLayers.addEventListener('change', () => {
    document.getElementById('layers-card').hidden = !showLayers.checked;
    if (showLayers.checked && digitPad.inked) predict();
  });

  // ---- asking the model -------------------------------------------------------------------
  // One request at a time; a stroke that ends meanwhile sends the newest drawing afterwards.
  let busy = false, again = false, seq = 0;
  async function predict() {
    if (!digitPad.inked) { statusEl.textContent = t('draw.empty'); return; }
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

  // ---- a line of digits: POST /read -------------------------------------------------------
  // The wide canvas goes to POST /read as a PNG; the answer's boxes (in the PNG's pixels,
  // which are the canvas's) are drawn over the writing with the digit read above each.
  const linePad = document.getElementById('line-pad');
  const boxes = document.getElementById('line-boxes');
  const lineStatus = document.getElementById('line-status');
  const lineText = document.getElementById('line-text');
  const lineChars = document.getElementById('line-chars');
  const lineHow = document.getElementById('line-how');
  const lineAnswer = document.getElementById('line-answer');
  const lineDraw = drawingPad(linePad, document.getElementById('line-hint'), () => read());

  function clearBoxes() { boxes.getContext('2d').clearRect(0, 0, boxes.width, boxes.height); }
  function clearLine() {
    lineDraw.clear();
    clearBoxes();
    lineText.textContent = '?';
    lineText.classList.add('none');
    lineChars.replaceChildren();
    lineHow.textContent = '';
    lineStatus.textContent = t('line.waiting');
    lineStatus.classList.remove('error');
    lineSeq++;
  }
  document.getElementById('line-clear').addEventListener('click', clearLine);

  let lineBusy = false, lineAgain = false, lineSeq = 0, lineAnswers = 0;
  async function read() {
    if (!lineDraw.inked) { lineStatus.textContent = t('line.empty'); return; }
    if (lineBusy) { lineAgain = true; return; }
    lineBusy = true;
    lineAnswer.dataset.busy = '1';
    const mine = ++lineSeq;
    lineStatus.classList.remove('error');
    lineStatus.textContent = t('draw.asking');
    try {
      const blob = await new Promise((res) => linePad.toBlob(res, 'image/png'));
      const r = await nabla.json('/read', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: blob });
      if (mine === lineSeq) showLine(r);
    } catch (e) {
      if (mine === lineSeq) {
        lineStatus.classList.add('error');
        lineStatus.textContent = e.status ? t('draw.error', { msg: e.message }) : t('draw.offline', { msg: e.message });
      }
    } finally {
      lineBusy = false;
      delete lineAnswer.dataset.busy;
      if (lineAgain) { lineAgain = false; read(); }
    }
  }

  function showLine(r) {
    lineAnswer.dataset.answers = ++lineAnswers;     // how many answers were shown (the tests wait on it)
    const chars = Array.isArray(r.characters) ? r.characters : [];
    const text = typeof r.text === 'string' ? r.text : '';
    lineText.textContent = text || '–';
    lineText.dataset.text = text;
    lineText.classList.toggle('none', !text);
    lineChars.replaceChildren(...chars.map((c) => el('span', { title: t('line.conf', { p: nabla.pct(c.confidence, 1) }) },
      el('b', { text: c.char }), nabla.pct(c.confidence, 0))));
    lineHow.textContent = r.model === 'ctc' ? t('line.ctc') : t('line.segment');
    lineStatus.textContent = !text ? t('line.nothing')
      : Number.isFinite(r.ms) ? t('line.took', { ms: r.ms < 10 ? r.ms.toFixed(2) : r.ms.toFixed(1) }) : '';
    // the boxes, in the canvas's pixels
    clearBoxes();
    const g = boxes.getContext('2d');
    const css = getComputedStyle(document.body);
    const colour = css.getPropertyValue('--win').trim() || '#d9480f';
    const lw = Math.max(2, boxes.height / 70) * (nabla.projector ? 1.6 : 1);
    g.lineWidth = lw;
    g.strokeStyle = colour;
    const size = Math.round(boxes.height / 8);
    g.font = `700 ${size}px ${css.getPropertyValue('--font') || 'sans-serif'}`;
    g.textBaseline = 'top';
    const tagText = css.getPropertyValue('--accent-fg').trim() || '#ffffff';
    // each box with a tag holding the digit read, as object detectors draw them: the tag on
    // the box's top edge, above it when there is room, else just inside
    for (const c of chars) {
      if (!Array.isArray(c.box) || c.box.length !== 4) continue;
      const [x0, y0, x1, y1] = c.box;
      g.strokeRect(x0 + lw / 2, y0 + lw / 2, Math.max(1, x1 - x0 - lw), Math.max(1, y1 - y0 - lw));
      const pad = Math.round(size * 0.2), tw = g.measureText(c.char).width + 2 * pad, th = size + pad;
      const ty = y0 >= th ? y0 - th : y0;
      g.fillStyle = colour;
      g.fillRect(x0, ty, tw, th);
      g.fillStyle = nabla.projector ? tagText : '#ffffff';
      g.fillText(c.char, x0 + pad, ty + pad * 0.6);
    }
    boxes.dataset.boxes = JSON.stringify(chars.map((c) => c.box));
  }

  // ---- the mode switch -----------------------------------------------------------------------
  const modeDigit = document.getElementById('mode-digit');
  const modeLine = document.getElementById('mode-line');
  let mode = 'digit';
  function setMode(m, push) {
    mode = m === 'line' ? 'line' : 'digit';
    document.getElementById('digit-mode').hidden = mode !== 'digit';
    document.getElementById('line-mode').hidden = mode !== 'line';
    modeDigit.setAttribute('aria-checked', mode === 'digit' ? 'true' : 'false');
    modeLine.setAttribute('aria-checked', mode === 'line' ? 'true' : 'false');
    document.documentElement.dataset.mode = mode;
    document.querySelector('.draw-page > h1').textContent = t(mode === 'line' ? 'line.h1' : 'draw.h1');
    if (push) {
      const q = new URLSearchParams(location.search);
      if (mode === 'line') q.set('mode', 'line'); else q.delete('mode');
      const qs = q.toString();
      history.replaceState(null, '', location.pathname + (qs ? '?' + qs : ''));
    }
    (mode === 'line' ? linePad : pad).focus({ preventScroll: true });
  }
  modeDigit.addEventListener('click', () => setMode('digit', true));
  modeLine.addEventListener('click', () => setMode('line', true));
  // a line model reads lines only: the digit mode is off
  function modelReads(m) {
    const ctc = !!(m && m.reader === 'ctc');
    modeDigit.disabled = ctc;
    modeDigit.title = ctc ? t('mode.digit.off') : '';
    if (ctc && mode !== 'line') setMode('line', false);
  }
  if (state && 'model' in state) modelReads(state.model);
  else nabla.json('/model').then(modelReads, () => {});

  statusEl.textContent = t('draw.waiting');
  lineStatus.textContent = t('line.waiting');
  setMode(new URLSearchParams(location.search).get('mode') === 'line' ? 'line' : 'digit', false);
});
