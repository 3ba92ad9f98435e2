// strata report: draws the summary, the history chart, the treemaps and the
// wasted-files table from the JSON document in #strata-data. No libraries,
// no network. Every name from the image goes in through textContent or an
// attribute, never as markup.
(function () {
  'use strict';
  const doc = document;
  const $ = (id) => doc.getElementById(id);

  function fail(err) {
    const msg = String(err && err.message ? err.message : err);
    doc.body.dataset.error = msg;
    const box = $('error');
    box.textContent = 'The report could not be drawn: ' + msg;
    box.hidden = false;
  }
  window.addEventListener('error', (e) => fail(e.message));

  // units:begin. fmtBytes and pct are internal/units' Bytes and Percent
  // (SI units; under 10 one decimal, else none; half up, rounded once; 1000
  // of a unit is 1.0 of the next), so that the page prints what the report
  // prints. report/html's tests run this block against units.
  function fmtBytes(n) {
    if (n < 0) return '-' + fmtBytes(-n);
    if (n < 1000) return n + ' B';
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
    let e = 1, d = 1000;
    while (e < units.length - 1 && Math.floor(n / d) >= 1000) { e++; d *= 1000; }
    for (;;) {
      const q = Math.floor(n / d), r = n - q * d;
      const tenths = q * 10 + Math.floor((r * 10 + d / 2) / d);
      if (tenths < 100) return Math.floor(tenths / 10) + '.' + (tenths % 10) + ' ' + units[e];
      const whole = r >= d - r ? q + 1 : q;
      if (whole < 1000 || e === units.length - 1) return whole + ' ' + units[e];
      e++; d *= 1000;
    }
  }
  function pct(f) {
    const v = f * 100;
    return (Math.abs(v) < 0.005 ? 0 : v).toFixed(2) + '%';
  }
  // units:end
  const fmtCount = (n) => n.toLocaleString('en-US');

  // displayCommand is the step's instruction, cleaned on the Go side
  // (analyze.Instruction) so that the page reads as every other output.
  const displayCommand = (c) => c || '(no command recorded)';

  function h(tag, attrs, text) {
    const e = doc.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const svg = $('treemap');
  const NS = svg.namespaceURI; // the HTML parser put the SVG in its namespace
  function s(tag, attrs) {
    const e = doc.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  const data = JSON.parse($('strata-data').textContent);
  const layers = data.layers || [];
  const hue = (i) => Math.round((i * 137.508 + 205) % 360);
  // The instruction that made each layer.
  const layerCmd = layers.map((l) => l.instruction);
  for (const st of data.steps || []) if (st.layer >= 0) layerCmd[st.layer] = st.instruction;
  const layerName = (i) => 'layer ' + i + ': ' + displayCommand(layerCmd[i]);

  // --- summary ---------------------------------------------------------------

  function summary() {
    const im = data.image;
    $('ref').textContent = [im.reference, im.platform].filter(Boolean).join('  ·  ');
    const cards = [
      ['Size', fmtBytes(im.size)],
      ['Compressed', fmtBytes(im.compressedSize)],
      ['Wasted', fmtBytes(im.wasted), im.wasted > 0],
      ['Efficiency', pct(im.efficiency), im.efficiency < 0.9],
      ['Files', fmtCount(im.files)],
      ['Layers', fmtCount(layers.length)],
    ];
    const dl = $('summary');
    for (const [k, v, bad] of cards) {
      const d = h('div');
      d.appendChild(h('dt', {}, k));
      d.appendChild(h('dd', bad ? { class: 'bad' } : {}, v));
      dl.appendChild(d);
    }
  }

  // --- history chart ---------------------------------------------------------

  function chart() {
    const ol = $('chart');
    const max = Math.max(1, ...layers.map((l) => l.size));
    for (const st of data.steps || []) {
      const li = h('li');
      const cmd = displayCommand(st.instruction);
      if (st.layer < 0) {
        const row = h('div', { class: 'step empty' });
        row.appendChild(h('span', { class: 'idx' }, '–'));
        row.appendChild(h('span', { class: 'cmd', title: cmd }, cmd));
        row.appendChild(h('span'));
        row.appendChild(h('span', { class: 'num' }, 'no layer'));
        li.appendChild(row);
        ol.appendChild(li);
        continue;
      }
      const l = layers[st.layer];
      const row = h('button', {
        type: 'button', class: 'step', 'data-layer': l.index, 'aria-pressed': 'false',
        style: '--h:' + hue(l.index),
        'aria-label': 'Layer ' + l.index + ', ' + fmtBytes(l.size) +
          (l.wasted ? ', ' + fmtBytes(l.wasted) + ' wasted' : '') + ': ' + cmd,
      });
      const idx = h('span', { class: 'idx' });
      idx.appendChild(h('span', { class: 'swatch' }));
      idx.appendChild(doc.createTextNode(String(l.index)));
      row.appendChild(idx);
      row.appendChild(h('span', { class: 'cmd', title: cmd }, cmd));
      const bar = s('svg', { class: 'bar', viewBox: '0 0 1000 14', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
      bar.appendChild(s('rect', { class: 'track', width: 1000, height: 14 }));
      const w = l.size > 0 ? Math.max(3, l.size / max * 1000) : 0;
      bar.appendChild(s('rect', { class: 'size', width: w.toFixed(1), height: 14 }));
      if (l.wasted > 0) {
        const ww = Math.max(3, l.wasted / l.size * w);
        bar.appendChild(s('rect', { class: 'waste', x: (w - ww).toFixed(1), width: ww.toFixed(1), height: 14 }));
      }
      row.appendChild(bar);
      const num = h('span', { class: 'num' }, fmtBytes(l.size));
      if (l.wasted > 0) {
        num.appendChild(h('br'));
        num.appendChild(h('span', { class: 'w' }, fmtBytes(l.wasted) + ' wasted'));
      }
      row.appendChild(num);
      row.addEventListener('click', () => highlight(state.hl === l.index ? -1 : l.index));
      li.appendChild(row);
      ol.appendChild(li);
    }
  }

  // --- treemap data ------------------------------------------------------------

  const nodes = []; // every node of every tree, by id (data-i)
  const isDir = (n) => n.k === 'd' || n.k === 'l' || n.k === 'p';
  const pkgs = data.packages || [];
  // pkgLabel names the package of a file's owner index (n.o), 0 for none.
  const pkgLabel = (o) => o > 0 && pkgs[o - 1] ? pkgs[o - 1].name + ' ' + pkgs[o - 1].version : 'unpackaged';

  // packageTree regroups the final filesystem's files by the package that
  // owns them: one group per package, and one for the unpackaged files,
  // each holding its files (and groups of small files, which the Go side
  // keeps to one owner each) under their full paths.
  function packageTree(root) {
    const groups = new Map();
    const walk = (n, dir) => {
      for (const c of n.c || []) {
        const path = dir ? dir + '/' + c.n : c.n;
        if (c.k === 'd') { walk(c, path); continue; }
        const o = c.o || 0;
        let g = groups.get(o);
        if (!g) {
          g = { n: pkgLabel(o), k: 'p', s: 0, l: -1, f: 0, c: [], o: o };
          groups.set(o, g);
        }
        g.c.push({ n: path, k: c.k, s: c.s, l: c.l, f: c.f, ls: c.ls, o: c.o });
        g.s += c.s;
        g.f += c.f || 0;
      }
    };
    walk(root, '');
    const bySize = (a, b) => b.s - a.s || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0);
    const kids = [...groups.values()].sort(bySize);
    for (const g of kids) g.c.sort(bySize);
    return { n: '', k: 'd', l: -1, s: kids.reduce((t, g) => t + g.s, 0), f: kids.reduce((t, g) => t + g.f, 0), c: kids };
  }

  // prep links parents, numbers the nodes, and works out for each one the
  // set of layers below it and the layer that wrote most of its bytes.
  function prep(n, parent) {
    n.p = parent;
    n.c = n.c || [];
    n.id = nodes.length;
    nodes.push(n);
    n.bytes = new Map();
    if (isDir(n)) {
      for (const c of n.c) {
        prep(c, n);
        for (const [l, b] of c.bytes) n.bytes.set(l, (n.bytes.get(l) || 0) + b);
      }
    } else {
      for (const l of n.ls || []) n.bytes.set(l, 0);
      if (n.l >= 0) n.bytes.set(n.l, (n.bytes.get(n.l) || 0) + n.s);
    }
    n.dom = -1;
    let best = -1;
    for (const [l, b] of n.bytes) if (b > best) { best = b; n.dom = l; }
    if (!isDir(n)) n.dom = n.l;
  }
  const trees = { tree: data.tree, hidden: data.hidden };
  if (pkgs.length) {
    trees.pkg = { threshold: (data.tree || {}).threshold || 0, root: packageTree((data.tree || {}).root || {}) };
  }
  for (const k in trees) {
    trees[k].root = trees[k].root || { n: '', k: 'd', s: 0, l: -1 };
    prep(trees[k].root, null);
  }

  function pathOf(n) {
    if (n.k === 'p') return n.n; // a package: its files are named in full
    const parts = [];
    for (let m = n; m && m.p; m = m.p) if (m.k !== 'l' && m.k !== 'p') parts.unshift(m.n);
    return '/' + parts.join('/');
  }

  function describe(n) {
    const parts = [pathOf(n), fmtBytes(n.s)];
    if (isDir(n) || n.k === 's') parts.push(fmtCount(n.f || 0) + ' files');
    if (n.dom >= 0) parts.push((isDir(n) || n.k === 's' ? 'mostly layer ' : 'layer ') + n.dom);
    return parts.join(', ');
  }

  // --- squarified layout -------------------------------------------------------

  // squarify lays values (biggest first) out in the rectangle, one row at a
  // time along its shorter side, adding to a row while that makes its worst
  // aspect ratio better (Bruls, Huizing and van Wijk).
  function squarify(vals, x, y, w, h) {
    const out = new Array(vals.length);
    let total = 0;
    for (const v of vals) total += v;
    if (total <= 0 || w <= 0 || h <= 0) return out;
    const scale = w * h / total;
    let i = 0;
    while (i < vals.length) {
      const side = Math.min(w, h);
      let sum = 0, lo = Infinity, hi = 0, worst = Infinity, j = i;
      while (j < vals.length) {
        const a = vals[j] * scale;
        const s2 = (sum + a) * (sum + a);
        const nlo = Math.min(lo, a), nhi = Math.max(hi, a);
        const r = Math.max(side * side * nhi / s2, s2 / (side * side * nlo));
        if (j > i && r > worst) break;
        sum += a; lo = nlo; hi = nhi; worst = r; j++;
      }
      const thick = sum / side;
      let off = 0;
      for (let k = i; k < j; k++) {
        const len = vals[k] * scale / thick;
        out[k] = w >= h ? { x: x, y: y + off, w: thick, h: len } : { x: x + off, y: y, w: len, h: thick };
        off += len;
      }
      if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
      i = j;
    }
    return out;
  }

  // --- treemap drawing ---------------------------------------------------------

  const MAX_DEPTH = 3; // levels drawn below the directory shown
  const state = { mode: 'tree', group: 'dir', root: trees.tree.root, zoom: {}, hl: -1 };
  // shown is the key in trees of what the treemap shows: the grouping by
  // package applies to the final filesystem.
  const shown = () => state.mode === 'tree' && state.group === 'package' && trees.pkg ? 'pkg' : state.mode;

  const fit = (text, px) => {
    const n = Math.floor(px / 6.6);
    return n < 2 ? '' : text.length <= n ? text : text.slice(0, n - 1) + '…';
  };
  const r1 = (v) => Math.round(v * 10) / 10;

  function drawChildren(n, x, y, w, h, depth, g) {
    const kids = n.c.filter((k) => k.s > 0);
    const rects = squarify(kids.map((k) => k.s), x, y, w, h);
    kids.forEach((k, i) => {
      const r = rects[i];
      if (r && r.w >= 0.5 && r.h >= 0.5) drawNode(k, r, depth, g);
    });
  }

  function drawNode(n, r, depth, g) {
    const open = isDir(n) && depth < MAX_DEPTH && r.w > 44 && r.h > 40 && n.c.length > 0;
    const ng = s('g', { class: 'node ' + (open ? 'dir' : 'leaf'), 'data-i': n.id });
    if (depth === 0) {
      // Only the rectangles of the directory shown take focus: tabbing
      // through thousands of nested files would help nobody.
      ng.setAttribute('tabindex', '0');
      ng.setAttribute('role', 'button');
      ng.setAttribute('aria-label', describe(n) + (isDir(n) ? '; enter to open' : ''));
      ng.setAttribute('data-path', pathOf(n));
      if (n.k === 'p') ng.setAttribute('data-package', n.n);
    }
    ng.appendChild(s('rect', { x: r1(r.x), y: r1(r.y), width: r1(r.w), height: r1(r.h) }));
    if (!open) {
      const l = n.dom;
      ng.setAttribute('data-layer', l);
      if (l >= 0) ng.setAttribute('style', '--h:' + hue(l)); else ng.classList.add('nolayer');
      if (n.k === 's') ng.classList.add('small');
      if (isDir(n)) ng.classList.add('folded');
      if (state.hl >= 0) ng.classList.add(n.bytes.has(state.hl) ? 'hl' : 'dim');
    }
    if (r.w > 30 && r.h > 15) {
      const label = fit(n.n + (open || r.h > 30 ? '  ' + fmtBytes(n.s) : ''), r.w - 8);
      if (label) {
        const t = s('text', { x: r1(r.x + 4), y: r1(r.y + 12) });
        t.textContent = label;
        ng.appendChild(t);
      }
    }
    g.appendChild(ng);
    // A directory holding a single directory (usr/lib/python3/...) costs
    // no depth, so that such chains do not use up the levels shown.
    const chain = n.c.length === 1 && isDir(n.c[0]);
    if (open) drawChildren(n, r.x + 2, r.y + 16, r.w - 4, r.h - 18, chain ? depth : depth + 1, g);
  }

  function render() {
    const W = Math.max(320, Math.round(svg.getBoundingClientRect().width || 960));
    const H = Math.round(Math.max(320, Math.min(620, W * 0.56)));
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('height', H);
    const old = svg.querySelector('g.nodes');
    if (old) old.remove();
    const g = s('g', { class: 'nodes' });
    const root = state.root;
    if (root.s > 0) {
      drawChildren(root, 0, 0, W, H, 0, g);
    } else {
      const t = s('text', { x: 12, y: 24 });
      t.textContent = state.mode === 'hidden' ? 'No layer stores bytes that a later layer hides.' : 'Nothing to show: no file here has any bytes.';
      g.appendChild(t);
    }
    svg.appendChild(g);
    hideTip();
    crumbs();
    const tm = trees[shown()];
    $('map-note').textContent = (state.mode === 'hidden'
      ? 'What each layer stored that a later layer hid, by layer; colours are the layer that stored it. '
      : (shown() === 'pkg' ? 'Files grouped by the package that owns them. ' : '') +
        'Colours are the layer that last wrote each file; bigger is more bytes. ') +
      (tm.threshold > 0 ? 'Files under ' + fmtBytes(tm.threshold) + ' are grouped per directory. ' : '') +
      'Select a directory to zoom in.';
    doc.body.dataset.mode = state.mode;
    doc.body.dataset.group = shown() === 'pkg' ? 'package' : 'dir';
    doc.body.dataset.root = pathOf(root);
    doc.body.dataset.nodes = String(g.querySelectorAll('.node').length);
  }

  function crumbs() {
    const nav = $('crumbs');
    nav.textContent = '';
    const chain = [];
    for (let m = state.root; m; m = m.p) chain.unshift(m);
    chain.forEach((m, i) => {
      if (i > 0) nav.appendChild(h('span', { class: 'sep', 'aria-hidden': 'true' }, i === 1 ? '' : '/'));
      const label = i === 0 ? (state.mode === 'hidden' ? 'wasted bytes' : shown() === 'pkg' ? 'packages' : '/') : m.n;
      const b = h('button', { type: 'button' }, label);
      if (m === state.root) b.setAttribute('aria-current', 'page');
      else b.addEventListener('click', () => zoom(m));
      nav.appendChild(b);
    });
  }

  function zoom(n, focus) {
    if (!n || !isDir(n)) return;
    state.root = n;
    state.zoom[shown()] = n;
    render();
    const status = 'Showing ' + pathOf(n) + ', ' + fmtBytes(n.s);
    $('status').textContent = status;
    if (focus) {
      const first = svg.querySelector('.node[tabindex]');
      (first || $('crumbs').lastChild).focus();
    }
  }

  function activate(el, focus) {
    const n = nodes[+el.getAttribute('data-i')];
    if (!n) return;
    let target = isDir(n) ? n : n.p;
    if (target === state.root) return;
    zoom(target, focus);
  }

  function highlight(l) {
    state.hl = l;
    for (const b of doc.querySelectorAll('button.step')) {
      b.setAttribute('aria-pressed', String(+b.getAttribute('data-layer') === l));
    }
    doc.body.dataset.highlight = String(l);
    render();
    $('status').textContent = l >= 0 ? 'Highlighting the files of ' + layerName(l) : 'No layer highlighted';
  }

  // --- tooltip -----------------------------------------------------------------

  const tip = $('tip');
  function showTip(n, px, py) {
    tip.textContent = '';
    tip.appendChild(h('b', {}, pathOf(n)));
    const lines = [];
    let size = fmtBytes(n.s);
    if (isDir(n) || n.k === 's') size += ' in ' + fmtCount(n.f || 0) + ' file' + (n.f === 1 ? '' : 's');
    lines.push(size);
    if (n.k === 's') {
      lines.push('each under ' + fmtBytes(trees[shown()].threshold) + ', grouped');
    }
    if (pkgs.length && state.mode === 'tree' && !isDir(n)) lines.push('package: ' + pkgLabel(n.o || 0));
    if (state.mode === 'hidden' && !isDir(n) && n.k !== 's') {
      lines.push('stored by ' + layerName(n.l));
      if (n.h > 0) lines.push('hidden by ' + layerName(n.h));
    } else if (n.dom >= 0) {
      lines.push((isDir(n) || n.k === 's' ? 'mostly from ' : 'written by ') + layerName(n.dom));
    }
    for (const line of lines) tip.appendChild(h('span', { class: line.startsWith('layer') || line.includes(' layer ') ? 'cmd' : '' }, line));
    for (const sp of tip.querySelectorAll('span')) sp.style.display = 'block';
    tip.hidden = false;
    const box = svg.parentNode.getBoundingClientRect();
    const x = Math.min(px + 14, box.width - tip.offsetWidth - 4);
    const y = py + 18 + tip.offsetHeight > box.height ? py - tip.offsetHeight - 10 : py + 18;
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = Math.max(0, y) + 'px';
  }
  function hideTip() { tip.hidden = true; }

  const nodeOf = (target) => target && target.closest ? target.closest('.node') : null;

  svg.addEventListener('mousemove', (e) => {
    const el = nodeOf(e.target);
    if (!el) return hideTip();
    const box = svg.parentNode.getBoundingClientRect();
    showTip(nodes[+el.getAttribute('data-i')], e.clientX - box.left, e.clientY - box.top);
  });
  svg.addEventListener('mouseleave', hideTip);
  svg.addEventListener('click', (e) => {
    const el = nodeOf(e.target);
    if (el) activate(el, false);
  });
  svg.addEventListener('focusin', (e) => {
    const el = nodeOf(e.target);
    if (!el) return;
    const r = el.getBoundingClientRect(), box = svg.parentNode.getBoundingClientRect();
    showTip(nodes[+el.getAttribute('data-i')], r.left - box.left + 4, r.top - box.top + 4);
  });
  svg.addEventListener('focusout', hideTip);
  svg.addEventListener('keydown', (e) => {
    const el = nodeOf(e.target);
    if ((e.key === 'Enter' || e.key === ' ') && el) {
      e.preventDefault();
      activate(el, true);
    } else if ((e.key === 'Escape' || e.key === 'Backspace') && state.root.p) {
      e.preventDefault();
      zoom(state.root.p, true);
    }
  });

  // --- wasted table ------------------------------------------------------------

  function wastedTable() {
    const box = $('wasted');
    const list = data.wasted || [];
    if (!list.length) {
      box.appendChild(h('p', { class: 'hint' }, 'Nothing is wasted: every stored byte is visible in the final filesystem.'));
      return;
    }
    if (data.wastedCount > list.length) {
      box.appendChild(h('p', { class: 'hint' }, 'The ' + list.length + ' biggest of ' + fmtCount(data.wastedCount) + ' files.'));
    }
    const t = h('table');
    const head = h('tr');
    head.appendChild(h('th', { class: 'num', scope: 'col' }, 'Wasted'));
    head.appendChild(h('th', { scope: 'col' }, 'Path'));
    head.appendChild(h('th', { scope: 'col' }, 'Stored by layers'));
    t.appendChild(h('thead')).appendChild(head);
    const body = t.appendChild(h('tbody'));
    for (const w of list) {
      const tr = h('tr');
      tr.appendChild(h('td', { class: 'num' }, fmtBytes(w.wasted)));
      tr.appendChild(h('td', { class: 'path' }, '/' + w.path));
      tr.appendChild(h('td', {}, (w.layers || []).join(', ')));
      body.appendChild(tr);
    }
    box.appendChild(t);
  }

  // --- advice --------------------------------------------------------------------

  function adviceList() {
    const box = $('advice');
    const list = data.advice || [];
    if (!list.length) {
      box.appendChild(h('p', { class: 'hint' }, 'Nothing to suggest.'));
      return;
    }
    const ul = box.appendChild(h('ul', { class: 'advice' }));
    for (const a of list) {
      const li = ul.appendChild(h('li'));
      li.appendChild(h('span', { class: 'num' }, fmtBytes(a.bytes)));
      li.appendChild(doc.createTextNode(' '));
      li.appendChild(h('code', {}, a.kind));
      li.appendChild(doc.createTextNode(' ' + a.message));
    }
  }

  // --- start -------------------------------------------------------------------

  try {
    summary();
    chart();
    wastedTable();
    adviceList();
    for (const radio of doc.querySelectorAll('input[name=mode]')) {
      radio.addEventListener('change', () => {
        state.mode = radio.value;
        state.root = state.zoom[shown()] || trees[shown()].root;
        render();
      });
    }
    if (trees.pkg) {
      $('group-box').hidden = false;
      $('group').addEventListener('change', (e) => {
        state.group = e.target.value;
        state.root = state.zoom[shown()] || trees[shown()].root;
        render();
      });
    }
    render();
    let pending = 0;
    window.addEventListener('resize', () => {
      clearTimeout(pending);
      pending = setTimeout(render, 150);
    });
    doc.body.dataset.ready = '1';
  } catch (e) {
    fail(e);
  }
})();
