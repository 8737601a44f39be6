// Charts for the ordergate dashboard, drawn as inline SVG. No library: a
// bar chart with an overlaid line, a line chart with gaps, and a stacked
// bar. Each chart redraws itself when its box changes size.
(() => {
  'use strict';

  const NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, parent) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    }
    if (parent) parent.appendChild(el);
    return el;
  }

  // niceMax rounds v up to 1, 2, 2.5 or 5 times a power of ten.
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) {
      if (m * p >= v) return m * p;
    }
    return 10 * p;
  }

  const resize = new ResizeObserver((entries) => {
    for (const e of entries) {
      const el = e.target;
      if (el._draw && el.clientWidth !== el._drawnWidth) {
        requestAnimationFrame(() => el._draw && el._draw());
      }
    }
  });

  // mount keeps draw as the chart's way to redraw and draws it now.
  function mount(el, draw) {
    el.classList.add('chart');
    el._draw = () => {
      el._drawnWidth = el.clientWidth;
      draw();
    };
    resize.observe(el);
    el._draw();
  }

  // frame clears el and returns an SVG of its width with a plot area.
  function frame(el, height, pad) {
    el.replaceChildren();
    const width = Math.max(el.clientWidth || 600, 240);
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img' }, el);
    const plot = { x0: pad.left, y0: pad.top, x1: width - pad.right, y1: height - pad.bottom };
    plot.w = plot.x1 - plot.x0;
    plot.h = plot.y1 - plot.y0;
    return { root, width, height, plot };
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  }

  // yAxis draws the grid lines and their labels for 0 … max.
  function yAxis(root, plot, max, fmt) {
    const axis = svg('g', { class: 'axis' }, root);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      const y = plot.y1 - (plot.h * i) / 4;
      svg('line', { class: i === 0 ? 'baseline' : 'gridline', x1: plot.x0, x2: plot.x1, y1: y, y2: y }, root);
      const t = svg('text', { x: plot.x0 - 6, y: y + 3.5, 'text-anchor': 'end' }, axis);
      t.textContent = fmt(v);
    }
  }

  // xAxis labels about six of the buckets with their start time.
  function xAxis(root, plot, buckets, step) {
    const axis = svg('g', { class: 'axis' }, root);
    const every = Math.max(1, Math.ceil(buckets.length / 6));
    buckets.forEach((b, i) => {
      if ((buckets.length - 1 - i) % every !== 0) return;
      const t = svg('text', { x: plot.x0 + step * (i + 0.5), y: plot.y1 + 15, 'text-anchor': 'middle' }, axis);
      t.textContent = clock(b.start);
    });
  }

  // hover adds one invisible column per bucket that shows a tooltip.
  function hover(el, root, plot, buckets, step, rows) {
    const tip = document.createElement('div');
    tip.className = 'tooltip';
    tip.hidden = true;
    el.appendChild(tip);
    const cursor = svg('line', { class: 'cursor', y1: plot.y0, y2: plot.y1, visibility: 'hidden' }, root);
    buckets.forEach((b, i) => {
      const x = plot.x0 + step * i;
      const col = svg('rect', { class: 'hover', x, y: plot.y0, width: step, height: plot.h }, root);
      col.addEventListener('mouseenter', () => {
        const cx = x + step / 2;
        cursor.setAttribute('x1', cx);
        cursor.setAttribute('x2', cx);
        cursor.setAttribute('visibility', 'visible');
        tip.replaceChildren();
        const title = document.createElement('div');
        title.className = 't-title';
        title.textContent = clock(b.start);
        tip.appendChild(title);
        for (const r of rows) {
          const row = document.createElement('div');
          row.className = 't-row';
          const name = document.createElement('span');
          const sw = document.createElement('i');
          sw.className = 'swatch ' + r.cls;
          name.append(sw, r.label);
          const val = document.createElement('span');
          val.textContent = r.fmt(b[r.key]);
          row.append(name, val);
          tip.appendChild(row);
        }
        tip.hidden = false;
        const scale = el.clientWidth / (plot.x1 + 8);
        const left = Math.min(cx * scale + 12, el.clientWidth - tip.offsetWidth - 4);
        tip.style.left = `${Math.max(left, 0)}px`;
        tip.style.top = `${plot.y0}px`;
      });
      col.addEventListener('mouseleave', () => {
        tip.hidden = true;
        cursor.setAttribute('visibility', 'hidden');
      });
    });
  }

  function empty(root, plot, text) {
    const t = svg('text', { class: 'empty', x: plot.x0 + plot.w / 2, y: plot.y0 + plot.h / 2, 'text-anchor': 'middle' }, root);
    t.textContent = text;
  }

  // bars draws opts.bar of each bucket as a bar and opts.line over it.
  function bars(el, opts) {
    mount(el, () => {
      const { buckets } = opts;
      const { root, plot } = frame(el, opts.height || 190, { left: 34, right: 8, top: 10, bottom: 22 });
      const values = buckets.map((b) => b[opts.bar.key] || 0);
      const lineValues = opts.line ? buckets.map((b) => b[opts.line.key] || 0) : [];
      const max = niceMax(Math.max(1, ...values, ...lineValues));
      const step = plot.w / Math.max(buckets.length, 1);
      yAxis(root, plot, max, (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)));
      const g = svg('g', {}, root);
      const bw = Math.max(1, Math.min(step * 0.72, 28));
      values.forEach((v, i) => {
        if (!v) return;
        const hgt = (plot.h * v) / max;
        svg('rect', { class: 'bar', x: plot.x0 + step * i + (step - bw) / 2, y: plot.y1 - hgt, width: bw, height: hgt, rx: Math.min(2, bw / 3) }, g);
      });
      if (opts.line) {
        const pts = lineValues.map((v, i) => [plot.x0 + step * (i + 0.5), plot.y1 - (plot.h * v) / max]);
        svg('polyline', { class: 'line ' + opts.line.cls, points: pts.map((p) => p.join(',')).join(' ') }, root);
      }
      xAxis(root, plot, buckets, step);
      if (!values.some(Boolean) && !lineValues.some(Boolean)) empty(root, plot, opts.empty || 'No orders in this window');
      const rows = [opts.bar, opts.line].filter(Boolean).map((s) => ({ ...s, fmt: (v) => String(v || 0) }));
      hover(el, root, plot, buckets, step, rows);
    });
  }

  // lines draws each of opts.series over the buckets; a null value leaves a
  // gap, and a point between two gaps is a dot.
  function lines(el, opts) {
    mount(el, () => {
      const { buckets, series } = opts;
      const { root, plot } = frame(el, opts.height || 190, { left: 44, right: 8, top: 10, bottom: 22 });
      const all = [];
      for (const s of series) for (const b of buckets) if (b[s.key] != null) all.push(b[s.key]);
      const max = niceMax(Math.max(1, ...all));
      const step = plot.w / Math.max(buckets.length, 1);
      yAxis(root, plot, max, opts.fmtAxis || String);
      for (const s of series) {
        let run = [];
        const flush = () => {
          if (run.length === 1) {
            svg('circle', { class: 'dot ' + s.cls, cx: run[0][0], cy: run[0][1], r: 2.5 }, root);
          } else if (run.length > 1) {
            svg('polyline', { class: 'line ' + s.cls, points: run.map((p) => p.join(',')).join(' ') }, root);
          }
          run = [];
        };
        buckets.forEach((b, i) => {
          const v = b[s.key];
          if (v == null) {
            flush();
            return;
          }
          run.push([plot.x0 + step * (i + 0.5), plot.y1 - (plot.h * v) / max]);
        });
        flush();
      }
      xAxis(root, plot, buckets, step);
      if (!all.length) empty(root, plot, opts.empty || 'Nothing confirmed in this window');
      hover(el, root, plot, buckets, step, series.map((s) => ({ ...s, fmt: opts.fmt || String })));
    });
  }

  // stack draws parts as one bar split in proportion to their values.
  function stack(el, parts) {
    mount(el, () => {
      el.replaceChildren();
      const width = Math.max(el.clientWidth || 600, 200);
      const height = 14;
      const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img' }, el);
      const total = parts.reduce((n, p) => n + p.value, 0);
      svg('rect', { class: 'track', x: 0, y: 0, width, height, rx: 7 }, root);
      if (!total) return;
      const clip = svg('clipPath', { id: 'stack-clip' }, svg('defs', {}, root));
      svg('rect', { x: 0, y: 0, width, height, rx: 7 }, clip);
      const g = svg('g', { 'clip-path': 'url(#stack-clip)' }, root);
      let x = 0;
      for (const p of parts) {
        if (!p.value) continue;
        const w = (width * p.value) / total;
        const r = svg('rect', { class: 'fill-' + p.key, x, y: 0, width: Math.max(w - 1.5, 1), height }, g);
        const title = svg('title', {}, r);
        title.textContent = `${p.label}: ${p.value} (${((100 * p.value) / total).toFixed(1)}%)`;
        x += w;
      }
    });
  }

  window.OGCharts = { bars, lines, stack };
})();
