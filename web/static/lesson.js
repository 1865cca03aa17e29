// /lesson: the step the teacher's shell is on (title, step n of m, text, code) and the latest
// plot, following next() and back() through the "lesson" and "plot" events.
'use strict';

nabla.start('lesson', (state) => {
  const { t, el } = nabla;
  const $ = (id) => document.getElementById(id);
  let current = null;

  // Lesson text is written for an 80-column terminal: lines of a paragraph are joined so the
  // browser can wrap them; indented lines, lists and tables keep their line breaks.
  function paragraphs(text) {
    const out = [];
    for (const block of String(text || '').replace(/\r/g, '').trim().split(/\n[ \t]*\n/)) {
      const lines = block.split('\n');
      const keep = (l) => /^\s+\S|^\s*([-*•·]|\d+[.)]|\|)\s/.test(l) || /\S {3,}\S/.test(l);
      if (lines.some(keep)) out.push(el('p', { class: 'pre', text: lines.join('\n') }));
      else out.push(el('p', { text: lines.map(s => s.trim()).join(' ') }));
    }
    return out;
  }

  function setPlot(svgText) {
    const box = $('l-plot');
    if (!svgText) { box.replaceChildren(el('p', { class: 'hint', text: t('lesson.noplot') })); return; }
    // An <img> shows the SVG without running anything that might be in it.
    const img = el('img', { alt: t('lesson.plot'), src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svgText) });
    box.replaceChildren(img);
  }

  function show(l) {
    current = l;
    $('no-lesson').hidden = !!l;
    $('lesson').hidden = !l;
    if (!l) return;
    $('l-title').textContent = l.title || l.id || '';
    $('l-step').textContent = t('lesson.step', { n: l.step, m: l.steps });
    $('lesson').dataset.step = l.step;
    $('lesson').dataset.id = l.id || '';
    if (l.lang === 'ko' || l.lang === 'en') $('lesson').lang = l.lang;
    const dots = [];
    for (let i = 1; i <= (l.steps || 0) && i <= 40; i++) dots.push(el('span', { class: i < l.step ? 'done' : i === l.step ? 'cur' : '' }));
    $('l-dots').replaceChildren(...dots);
    $('l-text').replaceChildren(...paragraphs(l.text));
    const code = String(l.code || '').replace(/^\s*\n/, '').replace(/\s+$/, '');
    $('l-code-box').hidden = !code;
    $('l-code').textContent = code;
    setPlot(l.svg);
  }

  show(state ? state.lesson : null);
  nabla.live({
    hello: (s) => show(s ? s.lesson : null),
    lesson: show,
    plot: (p) => { if (current) { current.svg = p.svg; setPlot(p.svg); } },
  });
});
