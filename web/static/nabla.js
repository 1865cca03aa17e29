// nabla's classroom pages, the part they share: the page's language (?lang=en|ko, else the
// server's), every string in English and Korean, the header (the three pages, the language
// switch, the projector toggle), projector mode (?projector=1), fetching JSON, and the live
// connection to GET /events (Server-Sent Events, reconnecting by itself).
// Plain JavaScript, no framework, nothing loaded from outside the server.
'use strict';

const nabla = (() => {
  const STRINGS = {
    en: {
      'nav.dashboard': 'Dashboard', 'nav.draw': 'Draw a digit', 'nav.lesson': 'Lesson',
      'projector': 'Projector', 'projector.title': 'Projector mode: large type, high contrast (P)',
      'lang.label': 'Language',
      'conn.live': 'live', 'conn.connecting': 'connecting…', 'conn.down': 'server unreachable, retrying…',
      'title.dashboard': 'nabla — training dashboard', 'title.draw': 'nabla — draw a digit',
      'title.lesson': 'nabla — lesson',
      // /draw
      'draw.h1': 'Draw a digit', 'draw.hint': 'Draw a digit 0–9 here',
      'draw.clear': 'Clear', 'draw.layers': 'Show the layers',
      'draw.keys': 'Mouse, finger or pen. The model answers when you lift it. Delete or Esc clears.',
      'draw.seen': 'What the model sees (28×28)', 'draw.answer': 'The model says',
      'draw.conf': '{p} sure', 'draw.probs': 'Probability of each digit',
      'draw.layers.h': 'Inside the network, layer by layer',
      'draw.layers.none': 'Draw a digit to see each layer\'s activations.',
      'draw.maps': '{n} feature maps {h}×{w}', 'draw.units': '{n} units',
      'draw.strip.range': 'black {lo} … white {hi}',
      'draw.waiting': 'Draw a digit: the answer appears when you lift the pen.',
      'draw.asking': 'Asking the model…', 'draw.took': 'answered in {ms} ms',
      'draw.nomodel': 'No model is being served. In the nabla shell: srv = serve{ model = m }',
      'draw.model': 'Model: {name}, {params} parameters', 'draw.acc': 'test accuracy {acc}',
      'draw.error': 'The server answered: {msg}', 'draw.offline': 'Cannot reach the server ({msg}).',
      'draw.empty': 'The canvas is empty: draw a digit first.',
      'mode.label': 'What to draw', 'mode.digit': 'One digit', 'mode.line': 'A line of digits',
      'mode.digit.off': 'The model served reads whole lines: draw a line of digits.',
      'line.hint': 'Write a number on one line: a phone number, a student number…',
      'line.keys': 'Write the digits side by side; the model reads the line when you lift the pen. Delete or Esc clears.',
      'line.h1': 'Write a number', 'line.answer': 'The model reads', 'line.waiting': 'Write a few digits: the answer appears when you lift the pen.',
      'line.empty': 'The canvas is empty: write some digits first.', 'line.nothing': 'No digit found on the line.',
      'line.took': 'read in {ms} ms', 'line.conf': '{p} sure',
      'line.segment': 'Read by cutting the line into digits (connected pieces, split where the ink is thinnest) and classifying each one.',
      'line.ctc': 'Read by a line model (convolutions over the columns, a recurrent network, CTC): it never cuts the line.',
      // dashboard
      'dash.h1': 'Training', 'dash.waiting': 'Waiting for training…',
      'dash.waiting.how': 'Start fit() in the nabla shell while a server runs (srv = serve{ model = m }), or run an experiment with --serve:',
      'dash.running': 'Epoch {e} of {E} · step {s} of {S}', 'dash.running.nosteps': 'Epoch {e} of {E} · step {s}',
      'dash.done': 'Finished: {E} epochs', 'dash.stopped': 'Stopped at epoch {e} of {E}',
      'dash.loss': 'Loss', 'dash.acc': 'Accuracy', 'dash.lr': 'Learning rate',
      'dash.gn': 'Gradient norm per layer (log scale)', 'dash.ips': 'Images / s',
      'dash.val_acc': 'Validation accuracy', 'dash.state': 'Training',
      'dash.train_step': 'train (steps)', 'dash.train_epoch': 'train (epoch)', 'dash.val_epoch': 'validation (epoch)',
      'dash.train_acc': 'train', 'dash.val': 'validation', 'dash.lr.s': 'learning rate',
      'dash.x': 'epoch', 'dash.nodata': 'no data yet',
      'dash.model': '{name}: {params} parameters, {layers} layers',
      'dash.later': 'Samples and latent space',
      'dash.later.none': 'Models that generate images or map digits to a plane show them here.',
      // lesson
      'lesson.step': 'Step {n} of {m}', 'lesson.code': 'Type this in the shell',
      'lesson.plot': 'Latest plot', 'lesson.noplot': 'No plot in this step yet.',
      'lesson.none': 'No lesson is running.',
      'lesson.none.how': 'In the nabla shell, start one with lesson "gradient-descent" (lessons() lists them all); this page follows next() and back().',
    },
    ko: {
      'nav.dashboard': '대시보드', 'nav.draw': '숫자 그리기', 'nav.lesson': '수업',
      'projector': '프로젝터', 'projector.title': '프로젝터 모드: 큰 글씨, 높은 대비 (P)',
      'lang.label': '언어',
      'conn.live': '실시간', 'conn.connecting': '연결 중…', 'conn.down': '서버에 연결할 수 없어 다시 시도합니다…',
      'title.dashboard': 'nabla — 학습 대시보드', 'title.draw': 'nabla — 숫자 그리기',
      'title.lesson': 'nabla — 수업',
      'draw.h1': '숫자를 그려 보세요', 'draw.hint': '여기에 0–9 숫자를 그리세요',
      'draw.clear': '지우기', 'draw.layers': '층별 활성값 보기',
      'draw.keys': '마우스, 손가락, 펜 모두 됩니다. 손을 떼면 모델이 답합니다. Delete나 Esc로 지웁니다.',
      'draw.seen': '모델이 보는 이미지 (28×28)', 'draw.answer': '모델의 답',
      'draw.conf': '확률 {p}', 'draw.probs': '숫자별 확률',
      'draw.layers.h': '신경망 안을 층별로 보기',
      'draw.layers.none': '숫자를 그리면 각 층의 활성값이 여기에 나타납니다.',
      'draw.maps': '특성 맵 {n}개, {h}×{w}', 'draw.units': '유닛 {n}개',
      'draw.strip.range': '검은색 {lo} … 흰색 {hi}',
      'draw.waiting': '숫자를 그리세요. 펜을 떼면 답이 나옵니다.',
      'draw.asking': '모델에게 묻는 중…', 'draw.took': '{ms} ms 만에 답함',
      'draw.nomodel': '서비스 중인 모델이 없습니다. nabla 셸에서: srv = serve{ model = m }',
      'draw.model': '모델: {name}, 파라미터 {params}개', 'draw.acc': '테스트 정확도 {acc}',
      'draw.error': '서버의 답: {msg}', 'draw.offline': '서버에 연결할 수 없습니다 ({msg}).',
      'draw.empty': '캔버스가 비어 있습니다. 먼저 숫자를 그리세요.',
      'mode.label': '무엇을 그릴까요', 'mode.digit': '숫자 하나', 'mode.line': '숫자 한 줄',
      'mode.digit.off': '지금 모델은 줄 전체를 읽습니다. 숫자를 한 줄로 쓰세요.',
      'line.hint': '숫자를 한 줄로 쓰세요: 전화번호, 학번…',
      'line.keys': '숫자를 옆으로 나란히 쓰세요. 펜을 떼면 모델이 줄을 읽습니다. Delete나 Esc로 지웁니다.',
      'line.h1': '숫자를 한 줄로 써 보세요', 'line.answer': '모델이 읽은 값', 'line.waiting': '숫자 몇 개를 쓰세요. 펜을 떼면 답이 나옵니다.',
      'line.empty': '캔버스가 비어 있습니다. 먼저 숫자를 쓰세요.', 'line.nothing': '줄에서 숫자를 찾지 못했습니다.',
      'line.took': '{ms} ms 만에 읽음', 'line.conf': '확률 {p}',
      'line.segment': '줄을 숫자 단위로 잘라서 (이어진 조각을 찾고, 잉크가 가장 얇은 곳에서 나눔) 하나씩 분류해 읽었습니다.',
      'line.ctc': '줄 모델이 읽었습니다 (열 방향 합성곱, 순환 신경망, CTC): 줄을 자르지 않습니다.',
      'dash.h1': '학습', 'dash.waiting': '학습을 기다리는 중…',
      'dash.waiting.how': '서버를 켠 상태(srv = serve{ model = m })로 nabla 셸에서 fit()을 실행하거나, 실험을 --serve와 함께 실행하세요:',
      'dash.running': '에폭 {e}/{E} · 스텝 {s}/{S}', 'dash.running.nosteps': '에폭 {e}/{E} · 스텝 {s}',
      'dash.done': '학습 완료: 에폭 {E}회', 'dash.stopped': '에폭 {e}/{E}에서 멈춤',
      'dash.loss': '손실', 'dash.acc': '정확도', 'dash.lr': '학습률',
      'dash.gn': '층별 기울기 노름 (로그 눈금)', 'dash.ips': '초당 이미지',
      'dash.val_acc': '검증 정확도', 'dash.state': '학습 상태',
      'dash.train_step': '학습 (스텝)', 'dash.train_epoch': '학습 (에폭)', 'dash.val_epoch': '검증 (에폭)',
      'dash.train_acc': '학습', 'dash.val': '검증', 'dash.lr.s': '학습률',
      'dash.x': '에폭', 'dash.nodata': '아직 데이터가 없습니다',
      'dash.model': '{name}: 파라미터 {params}개, 층 {layers}개',
      'dash.later': '생성된 샘플과 잠재 공간',
      'dash.later.none': '이미지를 생성하거나 숫자를 평면에 옮기는 모델은 그 결과를 여기에 보여 줍니다.',
      'lesson.step': '{m}단계 중 {n}단계', 'lesson.code': '셸에 입력할 코드',
      'lesson.plot': '최근 그래프', 'lesson.noplot': '이 단계에는 아직 그래프가 없습니다.',
      'lesson.none': '진행 중인 수업이 없습니다.',
      'lesson.none.how': 'nabla 셸에서 lesson "gradient-descent"로 시작하세요 (lessons()가 목록을 보여 줍니다). 이 페이지는 next()와 back()을 따라갑니다.',
    },
  };

  const params = new URLSearchParams(location.search);
  const asked = params.get('lang');
  let lang = asked === 'ko' || asked === 'en' ? asked : null;
  let projector = params.get('projector') === '1';

  function t(key, vars) {
    let s = (STRINGS[lang || 'en'] || STRINGS.en)[key];
    if (s === undefined) s = STRINGS.en[key];
    if (s === undefined) return key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  // Numbers as a person reads them: 1,199,882 / 0.3142 / 97.3% / 1.2e-4.
  function fmt(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return '–';
    if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
    const a = Math.abs(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(Math.max(0, (digits || 3) - 1));
    return Number(x.toPrecision(digits || 4)).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 6 });
  }
  function int(x) { return Number.isFinite(x) ? Math.round(x).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US') : '–'; }
  function pct(p, digits) { return Number.isFinite(p) ? (p * 100).toFixed(digits === undefined ? 1 : digits) + '%' : '–'; }

  // A link to one of the pages keeping the language (when chosen) and projector mode.
  function href(path, over) {
    const q = new URLSearchParams();
    const l = over && over.lang !== undefined ? over.lang : asked && lang;
    if (l) q.set('lang', l);
    const p = over && over.projector !== undefined ? over.projector : projector;
    if (p) q.set('projector', '1');
    const s = q.toString();
    return path + (s ? '?' + s : '');
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
    return e;
  }

  function applyProjector() {
    document.documentElement.classList.toggle('projector', projector);
    document.body.classList.toggle('projector', projector);
    const b = document.getElementById('projector-toggle');
    if (b) b.setAttribute('aria-pressed', projector ? 'true' : 'false');
    for (const a of document.querySelectorAll('a[data-page]')) a.href = href(a.dataset.page);
    window.dispatchEvent(new Event('nabla:layout'));
  }

  function setProjector(on) {
    projector = on;
    const q = new URLSearchParams(location.search);
    if (on) q.set('projector', '1'); else q.delete('projector');
    const s = q.toString();
    history.replaceState(null, '', location.pathname + (s ? '?' + s : '') + location.hash);
    applyProjector();
  }

  function header(page) {
    const pages = [['/', 'nav.dashboard', 'dashboard'], ['/draw', 'nav.draw', 'draw'], ['/lesson', 'nav.lesson', 'lesson']];
    const nav = el('nav', { 'aria-label': 'nabla' });
    for (const [path, key, id] of pages) {
      nav.append(el('a', { href: href(path), 'data-page': path, 'aria-current': id === page ? 'page' : null, text: t(key) }));
    }
    const langs = el('span', { class: 'lang-switch', role: 'group', 'aria-label': t('lang.label') });
    for (const [code, name] of [['en', 'English'], ['ko', '한국어']]) {
      langs.append(el('a', { href: href(location.pathname, { lang: code }), lang: code, hreflang: code,
                             'aria-current': lang === code ? 'true' : null, text: name }));
    }
    const proj = el('button', { id: 'projector-toggle', type: 'button', title: t('projector.title'),
                                'aria-pressed': projector ? 'true' : 'false', onclick: () => setProjector(!projector) });
    proj.innerHTML = '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><rect x="2" y="4" width="20" height="13" rx="1.5"/>' +
                     '<path d="M12 17v3M8 21h8"/></svg>';
    proj.append(' ', el('span', { class: 'label', text: t('projector') }));
    proj.setAttribute('aria-label', t('projector.title'));
    // shown by live(): only pages that follow the server's events have a connection to show
    const conn = el('span', { id: 'conn', class: 'conn', 'data-state': 'connecting', role: 'status', hidden: true,
                              text: t('conn.connecting') });
    const bar = el('header', { class: 'top' },
      el('a', { class: 'brand', href: href('/'), 'data-page': '/' }, el('span', { class: 'nabla', text: '∇' }), ' nabla'),
      nav, el('div', { class: 'tools' }, conn, langs, proj));
    document.body.prepend(bar);
  }

  function translate(root) {
    for (const e of (root || document).querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
    for (const e of (root || document).querySelectorAll('[data-i18n-title]')) e.title = t(e.dataset.i18nTitle);
    for (const e of (root || document).querySelectorAll('[data-i18n-aria]')) e.setAttribute('aria-label', t(e.dataset.i18nAria));
  }

  function setConn(state) {
    const c = document.getElementById('conn');
    if (!c) return;
    c.dataset.state = state;
    c.textContent = t(state === 'live' ? 'conn.live' : state === 'down' ? 'conn.down' : 'conn.connecting');
  }

  // GET or POST; resolves to the parsed JSON, rejects with an Error whose message is the
  // server's {"error": ...} (or the HTTP status), and .status set.
  async function json(url, opts) {
    const r = await fetch(url, Object.assign({ cache: 'no-store' }, opts || {}));
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) {
      const err = new Error(body && body.error ? body.error : r.status + ' ' + r.statusText);
      err.status = r.status;
      throw err;
    }
    return body;
  }

  // The live connection. handlers: { hello(payload), train_step(p), epoch(p), lesson(p), ... }.
  // EventSource reconnects by itself after a dropped connection; when it gives up (the server
  // was gone, or answered with an error) we open a new one, waiting a little longer each time.
  function live(handlers) {
    let es = null, delay = 1000, timer = null;
    const c = document.getElementById('conn');
    if (c) c.hidden = false;
    function open() {
      timer = null;
      es = new EventSource('/events');
      es.addEventListener('open', () => { delay = 1000; setConn('live'); });
      es.addEventListener('error', () => {
        setConn(es.readyState === EventSource.CLOSED ? 'down' : 'connecting');
        if (es.readyState === EventSource.CLOSED && !timer) {
          timer = setTimeout(open, delay);
          delay = Math.min(delay * 2, 15000);
        }
      });
      for (const [name, fn] of Object.entries(handlers)) {
        es.addEventListener(name, (ev) => {
          let data;
          try { data = JSON.parse(ev.data); } catch (e) { console.warn('nabla: bad event', name, e); return; }
          fn(data);
        });
      }
    }
    open();
    return { close() { if (timer) clearTimeout(timer); if (es) es.close(); } };
  }

  // Start a page: find the language (from the URL, else the server's), draw the header,
  // translate the page, then call ready(state) with GET /state's answer (null if it failed).
  async function start(page, ready) {
    document.documentElement.classList.add('loading');
    let state = null;
    try { state = await json('/state'); } catch (e) { console.warn('nabla: /state:', e.message); }
    if (!lang) lang = state && (state.lang === 'ko' || state.lang === 'en') ? state.lang : 'en';
    document.documentElement.lang = lang;
    document.title = t('title.' + page);
    header(page);
    translate();
    applyProjector();
    document.addEventListener('keydown', (ev) => {
      if (ev.target.closest && ev.target.closest('input, textarea, select, [contenteditable]')) return;
      if ((ev.key === 'p' || ev.key === 'P') && !ev.ctrlKey && !ev.metaKey && !ev.altKey) setProjector(!projector);
    });
    document.documentElement.classList.remove('loading');
    ready(state);
  }

  return { t, fmt, int, pct, el, json, live, start, setConn, translate,
           get lang() { return lang; }, get projector() { return projector; } };
})();
