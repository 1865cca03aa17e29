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

  // ---- panels of later issues (samples, latent scatter) --------------------------------------
  // A later issue adds a renderer here: panels.samples = (payload, box) => { ... }.
  const panels = {};
  window.nablaPanels = panels;
  function laterEvent(name) {
    return (p) => {
      if (!panels[name]) return;
      $('later').hidden = false;
      let box = document.getElementById('panel-' + name);
      if (!box) { box = nabla.el('div', { id: 'panel-' + name }); $('later-panels').append(box); }
      panels[name](p, box);
    };
  }

  fromState(state);
  nabla.live({
    hello: fromState,
    train_step: onStep,
    epoch: onEpoch,
    fit_end: onEnd,
    samples: laterEvent('samples'),
    latent: laterEvent('latent'),
  });
});
