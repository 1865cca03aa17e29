// / (the dashboard): training as it happens. GET /state on load gives the run so far; then
// GET /events (Server-Sent Events) brings each step ("train_step"), each epoch ("epoch") and,
// on every (re)connection, a fresh snapshot ("hello"). The x axis is in epochs: step s of S in
// epoch e sits at e − 1 + s/S, and an epoch's results at e.
'use strict';

nabla.start('dashboard', (state) => {
  const { t } = nabla;
  const $ = (id) => document.getElementById(id);

  // ---- what we know about the run -----------------------------------------------------------
  let run = null;
  function emptyRun() {
    return { running: false, epoch: 0, epochs: 0, step: 0, steps: 0, ips: null, lastX: -Infinity, lastNews: 0,
             loss: [], lr: [], gn: new Map(), ep: new Map() /* epoch -> {train_loss, ...} */ };
  }

  // where a step goes on the x axis
  function stepX(epoch, step, steps) {
    if (steps > 0) return (epoch - 1) + step / steps;
    return step;                                   // no epoch length known: plain step count
  }

  // A snapshot (GET /state, or the "hello" event) replaces everything.
  function fromState(s) {
    showModel(s ? s.model : null);
    const tr = s && s.training;
    if (!tr) { run = null; render(); return; }
    run = emptyRun();
    run.running = !!tr.running;
    run.epoch = tr.epoch || 0;
    run.epochs = tr.epochs || 0;
    run.steps = tr.steps || 0;
    run.step = tr.step || 0;
    const h = tr.history || {};
    const steps = h.step || [];
    const epochOf = h.epoch || null;          // the epoch of each step, when the server sends it
    const per = run.steps;
    for (let i = 0; i < steps.length; i++) {
      let x;
      if (epochOf) x = stepX(epochOf[i], steps[i], per);
      else x = per > 0 ? steps[i] / per : steps[i];   // a step counted over the whole run
      if (h.loss && Number.isFinite(h.loss[i])) run.loss.push([x, h.loss[i]]);
      if (h.lr && Number.isFinite(h.lr[i])) run.lr.push([x, h.lr[i]]);
      run.lastX = x;
    }
    for (const [name, vals] of Object.entries(h.grad_norms || {})) {
      const pts = [];
      for (let i = 0; i < vals.length && i < steps.length; i++) {
        const x = epochOf ? stepX(epochOf[i], steps[i], per) : per > 0 ? steps[i] / per : steps[i];
        pts.push([x, vals[i]]);
      }
      run.gn.set(name, pts);
    }
    const n = Math.max(...['epoch_train_loss', 'epoch_val_loss', 'epoch_train_acc', 'epoch_val_acc'].map(k => (h[k] || []).length), 0);
    for (let i = 0; i < n; i++) {
      run.ep.set(i + 1, { train_loss: at(h.epoch_train_loss, i), val_loss: at(h.epoch_val_loss, i),
                          train_acc: at(h.epoch_train_acc, i), val_acc: at(h.epoch_val_acc, i) });
    }
    run.ips = Number.isFinite(h.images_per_s) ? h.images_per_s : Number.isFinite(tr.images_per_s) ? tr.images_per_s : null;
    run.lastNews = Date.now();
    render();
  }
  function at(a, i) { return a && Number.isFinite(a[i]) ? a[i] : null; }

  function onStep(p) {
    const x = stepX(p.epoch, p.step, p.steps);
    if (!run || x < run.lastX - 1e-9 || (p.epoch === 1 && run.epoch > 1 && !run.running)) run = emptyRun();  // a new run
    run.running = true;
    run.epoch = p.epoch; run.epochs = p.epochs || run.epochs;
    run.step = p.step; run.steps = p.steps || run.steps;
    run.lastX = x;
    run.lastNews = Date.now();
    if (Number.isFinite(p.loss)) run.loss.push([x, p.loss]);
    if (Number.isFinite(p.lr)) run.lr.push([x, p.lr]);
    if (Number.isFinite(p.images_per_s)) run.ips = p.images_per_s;
    for (const [name, v] of Object.entries(p.grad_norms || {})) {
      if (!run.gn.has(name)) run.gn.set(name, []);
      run.gn.get(name).push([x, v]);
    }
    render();
  }

  function onEpoch(p) {
    if (!run) run = emptyRun();
    run.ep.set(p.epoch, { train_loss: num(p.train_loss), val_loss: num(p.val_loss),
                          train_acc: num(p.train_acc), val_acc: num(p.val_acc) });
    run.epoch = Math.max(run.epoch, p.epoch);
    if (p.epochs) run.epochs = p.epochs;
    if (run.epochs && p.epoch >= run.epochs) run.running = false;
    run.lastNews = Date.now();
    render();
  }
  function num(v) { return Number.isFinite(v) ? v : null; }

  function onEnd(p) {                      // "fit_end": fit() returned (or was stopped)
    if (!run) return;
    run.running = false;
    if (p && p.epoch) run.epoch = p.epoch;
    render();
  }

  // ---- the model ------------------------------------------------------------------------------
  function showModel(m) {
    $('model-line').textContent = m ? t('dash.model', { name: m.name || '?', params: nabla.int(m.parameters),
                                                       layers: (m.layers || []).length }) : '';
  }

  // ---- drawing ------------------------------------------------------------------------------
  const xl = t('dash.x');
  const charts = {
    loss: new LineChart($('c-loss'), { xLabel: xl, yMin: 0, clampMin: true, empty: t('dash.nodata'), title: t('dash.loss'),
                                       legendFormat: (v) => nabla.fmt(v, 4), xMin: 0 }),
    acc: new LineChart($('c-acc'), { xLabel: xl, yMax: 1, clampMax: true, empty: t('dash.nodata'), title: t('dash.acc'),
                                     yFormat: (v) => Math.round(v * 1000) / 10 + '%', legendFormat: (v) => nabla.pct(v, 2), xMin: 0 }),
    gn: new LineChart($('c-gn'), { xLabel: xl, log: true, empty: t('dash.nodata'), title: t('dash.gn'),
                                   legendFormat: (v) => nabla.fmt(v, 3), xMin: 0 }),
    lr: new LineChart($('c-lr'), { xLabel: xl, yMin: 0, clampMin: true, empty: t('dash.nodata'), title: t('dash.lr'),
                                   legendFormat: (v) => nabla.fmt(v, 3), xMin: 0, aspect: 0.35 }),
  };

  function epochSeries(key) {
    const pts = [];
    for (const [e, r] of [...run.ep.entries()].sort((a, b) => a[0] - b[0])) if (r[key] !== null) pts.push([e, r[key]]);
    return pts;
  }

  function render() {
    $('waiting').hidden = !!run;
    const r = run || emptyRun();
    // headline
    let line;
    if (!run) line = t('dash.waiting');
    else if (r.running) line = r.steps ? t('dash.running', { e: r.epoch, E: r.epochs || '?', s: r.step, S: r.steps })
                                       : t('dash.running.nosteps', { e: r.epoch, E: r.epochs || '?', s: r.step });
    else line = r.epochs && r.epoch >= r.epochs ? t('dash.done', { E: r.epochs }) : t('dash.stopped', { e: r.epoch, E: r.epochs || '?' });
    $('s-run').textContent = line;
    $('s-run').dataset.running = r.running ? '1' : '0';
    const frac = r.epochs ? Math.min(1, (r.running ? Math.max(0, r.lastX) : r.epoch) / r.epochs) : 0;
    $('s-progress').style.width = (frac * 100).toFixed(1) + '%';
    const last = (a) => (a.length ? a[a.length - 1][1] : null);
    $('s-loss').textContent = nabla.fmt(last(r.loss), 4);
    const va = run ? epochSeries('val_acc') : [];
    $('s-acc').textContent = va.length ? nabla.pct(last(va), 2) : '–';
    $('s-lr').textContent = nabla.fmt(last(r.lr), 3);
    $('s-ips').textContent = Number.isFinite(r.ips) ? nabla.int(r.ips) : '–';

    const epochOnly = run ? [...r.ep.keys()].length : 0;
    for (const c of Object.values(charts)) c.opts.xMax = r.epochs && r.steps ? r.epochs : null;
    charts.loss.set([
      { label: t('dash.train_step'), points: r.loss, thin: true },
      { label: t('dash.train_epoch'), points: run ? epochSeries('train_loss') : [], dots: true, dash: '6 4', line: epochOnly > 1 },
      { label: t('dash.val_epoch'), points: run ? epochSeries('val_loss') : [], dots: true, line: epochOnly > 1 },
    ]);
    charts.acc.set([
      { label: t('dash.train_acc'), points: run ? epochSeries('train_acc') : [], dots: true, dash: '6 4' },
      { label: t('dash.val'), points: va, dots: true },
    ]);
    charts.gn.set([...r.gn.entries()].map(([name, pts]) => ({ label: name, points: pts, thin: true })));
    charts.lr.set([{ label: t('dash.lr.s'), points: r.lr }]);
  }

  // A run that stops without a last epoch (Ctrl-C in the shell) sends nothing more: after
  // 30 s without news the run is shown as stopped (a new step shows it running again).
  setInterval(() => {
    if (run && run.running && Date.now() - run.lastNews > 30000) { run.running = false; render(); }
  }, 5000);

  // ---- what generative models make: "sample" events (lua/nabla/samples.lua) ----------------
  // One panel per kind, replaced by each new event of that kind: the latent space as a
  // scatter coloured by class, a sheet of generated (or reconstructed) images, a text.
  // GET /state's "samples" holds the latest of each, for a page that loads later.
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
                   '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const KINDS = ['scatter', 'image_grid', 'text'];

  function panelBox(kind) {
    let box = $('sample-' + kind);
    if (!box) {
      box = nabla.el('figure', { id: 'sample-' + kind, class: 'sample sample-' + kind, 'data-updates': '0' });
      // panels keep the order of KINDS whatever order their events come in
      const after = KINDS.slice(KINDS.indexOf(kind) + 1).map((k) => $('sample-' + k)).find((e) => e);
      $('later-panels').insertBefore(box, after || null);
    }
    return box;
  }

  function caption(p, kind) {
    const bits = [p.title || t('dash.sample.' + kind)];
    if (p.source && !(p.title || '').includes(p.source)) bits.push('(' + p.source + ')');
    return nabla.el('figcaption', { text: bits.join(' ') });
  }

  // a canvas of w × h pixels (CSS scales it down on a narrow screen)
  function canvas(box, w, h) {
    const c = nabla.el('canvas', { width: Math.round(w), height: Math.round(h) });
    box.append(c);
    return c;
  }

  function drawScatter(p, box) {
    const pts = (p.points || []).filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]));
    const W = 520, H = 400, pad = 8;
    const c = canvas(box, W, H);
    const g = c.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, W, H);
    if (!pts.length) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const [x, y] of pts) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    const sx = (W - 2 * pad) / ((x1 - x0) || 1), sy = (H - 2 * pad) / ((y1 - y0) || 1);
    const r = pts.length > 1500 ? 1.6 : 2.4;
    g.globalAlpha = 0.75;
    for (const [x, y, label] of pts) {
      g.fillStyle = Number.isInteger(label) ? PALETTE[(label - 1) % PALETTE.length] : '#555555';
      g.beginPath();
      g.arc(pad + (x - x0) * sx, H - pad - (y - y0) * sy, r, 0, 2 * Math.PI);
      g.fill();
    }
    g.globalAlpha = 1;
    const seen = [...new Set(pts.map((q) => q[2]).filter(Number.isInteger))].sort((a, b) => a - b);
    if (seen.length) {
      const legend = nabla.el('div', { class: 'legend' });
      for (const label of seen) {
        const name = p.classes && p.classes[label - 1] !== undefined ? p.classes[label - 1] : String(label);
        const sw = nabla.el('span', { class: 'sw dot' });
        sw.style.background = PALETTE[(label - 1) % PALETTE.length];
        legend.append(nabla.el('span', {}, sw, name));
      }
      box.append(legend);
    }
  }

  function drawGrid(p, box) {
    const rows = p.rows | 0, cols = p.cols | 0, h = p.height | 0, w = p.width | 0;
    const px = p.pixels || [];
    if (!rows || !cols || !h || !w) return;
    const gap = 2, W = cols * (w + gap) - gap, H = rows * (h + gap) - gap;
    const img = new ImageData(W, H);
    img.data.fill(255);
    const n = Math.min(p.count || rows * cols, Math.floor(px.length / (h * w)));
    for (let k = 0; k < n; k++) {
      const ox = (k % cols) * (w + gap), oy = Math.floor(k / cols) * (h + gap);
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const v = 255 - px[k * h * w + i * w + j];        // ink dark on white paper
          const o = ((oy + i) * W + ox + j) * 4;
          img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
        }
      }
    }
    const scale = Math.max(2, Math.min(6, Math.round(560 / W)));   // CSS shrinks it on a narrow screen
    const c = canvas(box, W * scale, H * scale);
    const g = c.getContext('2d');
    const tmp = document.createElement('canvas');
    tmp.width = W; tmp.height = H;
    tmp.getContext('2d').putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, 0, 0, W * scale, H * scale);
  }

  function drawText(p, box) {
    box.append(nabla.el('pre', { class: 'sample-pre', text: p.text || '' }));
  }

  function onSample(p) {
    if (!p || !KINDS.includes(p.kind)) return;
    $('later').hidden = false;
    const hint = $('later-hint');
    if (hint) hint.hidden = true;
    const box = panelBox(p.kind);
    box.replaceChildren(caption(p, p.kind));
    if (p.kind === 'scatter') drawScatter(p, box);
    else if (p.kind === 'image_grid') drawGrid(p, box);
    else drawText(p, box);
    box.dataset.updates = String((+box.dataset.updates || 0) + 1);   // the browser test counts these
    box.dataset.epoch = Number.isFinite(p.epoch) ? String(p.epoch) : '';
  }

  function samplesFromState(s) {
    const got = (s && s.samples) || {};
    for (const kind of KINDS) if (got[kind]) onSample(got[kind]);
  }

  fromState(state);
  samplesFromState(state);
  nabla.live({
    hello: (s) => { fromState(s); samplesFromState(s); },
    train_step: onStep,
    epoch: onEpoch,
    fit_end: onEnd,
    sample: onSample,
  });
});
