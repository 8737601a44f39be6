// The ordergate dashboard's pages: the overview, the orders list, one
// order, and the attention queue. Each returns {name, refresh}; the shell
// (app.js) calls refresh every few seconds while the page is shown. They
// read only the /api/v1 JSON every other client reads.
(() => {
  'use strict';

  const OG = window.OG;
  const {
    STATES, STATE_LABEL, h, fmtInt, fmtMs, fmtAxisMs, fmtAge, ageOf, ago, fmtWhen, fmtStamp, fmtMoney,
    between, orderKey, orderPath, orderName, api, setCrumbs, toast, card, pill, flags, actionButtons,
  } = OG;

  // --- overview ----------------------------------------------------------

  function overviewPage(v, mine) {
    setCrumbs('Overview');
    const kpis = h('div', { class: 'grid kpis' });
    const throughput = h('div');
    const throughputFigures = h('div', { class: 'figures' });
    const throughputHint = h('span');
    const latencyFigures = h('div', { class: 'figures' });
    const latencyChart = h('div');
    const stateStack = h('div');
    const stateLegend = h('div', { class: 'stack-legend' });
    const stateHint = h('span');
    const erpBody = h('tbody');
    const recentBody = h('div', { class: 'card-list' });
    const cutoverBody = h('div', { class: 'card-body table-wrap', id: 'cutover' });
    const sample = h('p', { class: 'muted', id: 'sample' });
    let built = false;

    function build() {
      v.replaceChildren(
        kpis,
        h('div', { class: 'grid two' },
          card('Throughput', throughputHint,
            throughputFigures,
            h('div', { class: 'chart-legend' },
              h('span', {}, h('i', { class: 'swatch received' }), 'received'),
              h('span', {}, h('i', { class: 'swatch confirmed' }), 'confirmed')),
            throughput),
          card('Latency from storefront capture', 'p50 and p95 of the orders settled in the window',
            latencyFigures,
            h('div', { class: 'chart-legend' },
              h('span', {}, h('i', { class: 'swatch p50' }), 'confirmation p50'),
              h('span', {}, h('i', { class: 'swatch p95' }), 'confirmation p95')),
            latencyChart)),
        h('div', { class: 'grid narrow-wide' },
          card('Orders by state', stateHint, stateStack, stateLegend),
          h('section', { class: 'card' },
            h('div', { class: 'card-head' }, h('h2', { text: 'ERP health' }), h('span', { class: 'hint', text: 'submit retries, rejections and acknowledgments in the window' })),
            h('div', { class: 'card-body table-wrap' },
              h('table', { class: 'data', id: 'erp-health' },
                h('thead', {}, h('tr', {},
                  h('th', { text: 'ERP' }), h('th', { text: 'Status' }), h('th', { class: 'right', text: 'Retries' }),
                  h('th', { class: 'right', text: 'Rejected' }), h('th', { class: 'right', text: 'Attention' }),
                  h('th', { class: 'right', text: 'Awaiting ack' }), h('th', { class: 'right', text: 'Last ack' }))),
                erpBody)))),
        h('section', { class: 'card' },
          h('div', { class: 'card-head' }, h('h2', { text: 'Needs attention' }), h('a', { href: '/attention', 'data-link': true, class: 'hint', text: 'Open the queue →' })),
          recentBody),
        h('section', { class: 'card' },
          h('div', { class: 'card-head' }, h('h2', { text: 'Cutover: gated vs legacy' }), h('span', { class: 'hint', text: 'the parallel run of the last 7 days (docs/CUTOVER.md)' })),
          cutoverBody),
        sample);
      built = true;
    }

    function kpi(stat, label, value, opts = {}) {
      const attrs = { class: `card kpi ${opts.cls || ''}`, dataset: { stat, value: String(value ?? '') } };
      const kids = [h('span', { class: 'label' }, opts.swatch ? h('i', { class: 'swatch' }) : null, label),
        h('span', { class: 'value', text: opts.text ?? fmtInt(value) }),
        opts.sub ? h('span', { class: 'sub', text: opts.sub }) : null];
      return opts.href ? h('a', { ...attrs, href: opts.href, 'data-link': true }, kids) : h('div', attrs, kids);
    }

    // peakOf is the busiest bucket of the window, null if it was empty.
    function peakOf(t) {
      let peak = null;
      for (const b of t.buckets) if (b.received && (!peak || b.received > peak.received)) peak = b;
      return peak;
    }
    const hhmm = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

    function plainFigure(label, value, small) {
      return h('div', { class: 'figure' }, h('div', { class: 'label', text: label }),
        h('div', { class: 'value' }, value, small ? h('small', { text: small }) : null));
    }

    function figure(stat, label, ms) {
      return h('div', { class: 'figure', dataset: { stat, value: ms === null || ms === undefined ? '' : String(ms) } },
        h('div', { class: 'label', text: label }), h('div', { class: 'value', text: fmtMs(ms) }));
    }

    function render(st) {
      if (!built) build();
      const o = st.orders;
      const windowText = fmtAge(st.window_seconds).replace(/ 0s$/, '').replace(/ 0m$/, '');
      const t = st.throughput;
      kpis.replaceChildren(
        kpi('total', 'Orders', o.total, { sub: 'held by the gateway' }),
        kpi('in_flight', 'In flight', o.in_flight, { sub: 'not yet settled' }),
        kpi('confirmed', 'Confirmed', o.by_state.confirmed, { cls: 'st-confirmed', href: '/orders?state=confirmed', sub: o.total ? `${((100 * o.by_state.confirmed) / o.total).toFixed(1)}% of all` : '' }),
        kpi('rejected', 'Rejected', o.by_state.rejected, { cls: 'st-rejected', href: '/orders?state=rejected' }),
        kpi('overdue', 'Overdue', o.overdue, { cls: `st-overdue ${o.overdue ? 'bad' : ''}`, href: '/orders?overdue=true', sub: 'past the SLA' }),
        kpi('attention', 'Attention', o.attention, { cls: `st-attention ${o.attention ? 'warn' : ''}`, href: '/attention', sub: 'need a person' }),
        kpi('received', `Received, last ${windowText}`, t.received, { sub: `${t.confirmed} confirmed` }),
        kpi('per_minute', 'Orders / minute', t.received_per_minute, { text: String(t.received_per_minute), sub: `average over ${windowText}` }));

      const peak = peakOf(t);
      const per = t.bucket_seconds === 60 ? 'min' : fmtAge(t.bucket_seconds).replace(/ 0s$/, '');
      throughputFigures.replaceChildren(
        plainFigure('Received', fmtInt(t.received)),
        plainFigure('Confirmed', fmtInt(t.confirmed)),
        plainFigure(`Average / ${per}`, String(Math.round(t.received_per_minute * t.bucket_seconds / 60 * 100) / 100)),
        plainFigure(`Peak / ${per}`, peak ? fmtInt(peak.received) : '—', peak ? `at ${hhmm(peak.start)}` : ''));

      throughputHint.textContent = `per ${fmtAge(t.bucket_seconds).replace(/ 0s$/, '')}, last ${windowText}`;
      window.OGCharts.bars(throughput, {
        buckets: t.buckets,
        bar: { key: 'received', label: 'received', cls: 'received' },
        line: { key: 'confirmed', label: 'confirmed', cls: 'confirmed' },
      });

      const l = st.latency;
      latencyFigures.replaceChildren(
        figure('ack_p50', 'capture → ERP ack p50', l.capture_to_ack.p50_ms),
        figure('ack_p95', 'capture → ERP ack p95', l.capture_to_ack.p95_ms),
        figure('confirm_p50', 'capture → confirmation p50', l.capture_to_confirmation.p50_ms),
        figure('confirm_p95', 'capture → confirmation p95', l.capture_to_confirmation.p95_ms));
      window.OGCharts.lines(latencyChart, {
        buckets: t.buckets,
        series: [
          { key: 'confirmation_p50_ms', label: 'p50', cls: 'p50' },
          { key: 'confirmation_p95_ms', label: 'p95', cls: 'p95' },
        ],
        fmt: fmtMs,
        fmtAxis: fmtAxisMs,
      });

      stateHint.textContent = `${fmtInt(o.total)} orders`;
      window.OGCharts.stack(stateStack, STATES.map((s) => ({ key: s, label: STATE_LABEL[s], value: o.by_state[s] || 0 })));
      stateLegend.replaceChildren(...STATES.map((s) => h('a', { href: `/orders?state=${s}`, 'data-link': true },
        h('span', { class: `st-${s}`, dataset: { stat: `state:${s}`, value: String(o.by_state[s] || 0) } },
          h('i', { class: 'swatch' }), STATE_LABEL[s], ' ', h('b', { text: fmtInt(o.by_state[s]) })))));

      erpBody.replaceChildren(...(st.erps.length ? st.erps.map((e) => h('tr', { dataset: { erp: e.name, status: e.status } },
        h('td', {}, h('div', { class: 'cell-stack' }, h('span', { class: 'primary', text: e.name }), h('span', { class: 'secondary', text: e.storefronts.join(', ') || '—' }))),
        h('td', {}, h('span', { class: `pill hs-${e.status}`, title: e.why || '' }, e.status)),
        h('td', { class: 'right', title: `${e.received} orders received in the window` }, fmtInt(e.submit_retries)),
        h('td', { class: 'right' }, fmtInt(e.rejected)),
        h('td', { class: 'right' }, fmtInt(e.attention)),
        h('td', { class: 'right', title: 'received or submitted, not yet acknowledged; the oldest waited' },
          fmtInt(e.unacknowledged), e.unacknowledged ? h('span', { class: 'secondary', text: ` · ${fmtAge(e.oldest_unacknowledged_seconds)}` }) : null),
        h('td', { class: 'right', title: e.last_acknowledged_at ? fmtWhen(e.last_acknowledged_at) : 'never' },
          e.last_ack_age_seconds === null ? '—' : `${fmtAge(e.last_ack_age_seconds)} ago`)))
        : [h('tr', {}, h('td', { colspan: 7, class: 'muted', text: 'No ERP configured' }))]));

      sample.textContent = `Window figures from ${fmtInt(st.sample.orders)} orders received since ${fmtWhen(st.sample.since)}${st.sample.complete ? '' : ' (the newest only: the rest were not read)'}. Computed ${fmtWhen(st.generated_at)}.`;
      OG.updateBadge(st);
      v.dataset.ready = 'overview';
      v.dataset.generatedAt = st.generated_at;
    }

    async function refreshRecent() {
      const list = await api('/api/v1/orders?attention=true&limit=6');
      if (!list.orders.length) {
        recentBody.replaceChildren(h('div', { class: 'empty-state' }, h('strong', { text: 'Nothing needs a person' }), 'Orders the gateway cannot settle on its own show up here.'));
        return;
      }
      recentBody.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, h('tbody', {},
        list.orders.map((o) => h('tr', { class: 'clickable', onclick: () => OG.navigate(orderPath(o)) },
          h('td', {}, h('a', { href: orderPath(o), 'data-link': true, class: 'primary', text: orderName(o) })),
          h('td', {}, pill(o.state)),
          h('td', { class: 'muted', text: o.storefront }),
          h('td', { class: 'reason truncate', text: o.attention }),
          h('td', { class: 'right muted', text: ago(o.received_at) })))))));
    }

    // refreshCutover draws the cutover report's two cohorts and verdict;
    // a gateway that cannot build it says so and the rest still draws.
    async function refreshCutover() {
      let r;
      try {
        r = await api('/api/v1/cutover/report');
      } catch (e) {
        cutoverBody.replaceChildren(h('p', { class: 'muted', text: 'The cutover report is not available: ' + e.message }));
        return;
      }
      const g = r.cohorts.gated, l = r.cohorts.legacy;
      const lat = (c, p) => (c.capture_to_confirmation_ms.n ? fmtMs(c.capture_to_confirmation_ms[p]) : '–');
      const row = (label, gv, lv) => h('tr', {}, h('td', { text: label }), h('td', { class: 'right', text: String(gv) }), h('td', { class: 'right', text: String(lv) }));
      const failed = r.verdict.checks.filter((c) => !c.passed).map((c) => c.name);
      cutoverBody.replaceChildren(
        h('p', {}, h('strong', { text: 'Verdict: ' + r.verdict.decision.toUpperCase() }), failed.length ? ' — failing: ' + failed.join(', ') : ''),
        h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, h('th', { text: '' }), h('th', { class: 'right', text: 'Gated' }), h('th', { class: 'right', text: 'Legacy' }))),
          h('tbody', {},
            row('Orders', fmtInt(g.orders), fmtInt(l.orders)),
            row('Confirmed before ERP receipt', fmtInt(g.confirmed_before_erp), fmtInt(l.confirmed_before_erp)),
            row('Missing in ERP after SLA', fmtInt(g.missing_in_erp), fmtInt(l.missing_in_erp)),
            row('Rejections', fmtInt(g.rejections), fmtInt(l.rejections)),
            row('Manual interventions', fmtInt(g.manual_interventions), fmtInt(l.manual_interventions)),
            row('Capture → confirmation p50', lat(g, 'p50'), lat(l, 'p50')),
            row('Capture → confirmation p95', lat(g, 'p95'), lat(l, 'p95')),
            row('Capture → confirmation p99', lat(g, 'p99'), lat(l, 'p99')))));
    }

    return {
      name: 'overview',
      async refresh() {
        const [st] = await Promise.all([api('/api/v1/stats'), refreshRecent(), refreshCutover()]);
        if (mine === OG.gen) render(st);
      },
    };
  }

  // --- orders list -------------------------------------------------------

  let storefronts = null;

  function ordersPage(v, mine) {
    setCrumbs('Orders');
    const params = new URLSearchParams(location.search);
    const f = {
      q: params.get('q') || '',
      state: params.get('state') || '',
      storefront: params.get('storefront') || '',
      attention: params.get('attention') === 'true',
      overdue: params.get('overdue') === 'true',
    };
    let next = '';
    let extraPages = false;
    const body = h('tbody', { id: 'orders-body' });
    const count = h('span', { class: 'count', id: 'orders-count' });
    const more = h('div', { class: 'more', hidden: true }, h('button', { class: 'btn small', type: 'button', onclick: () => load(true), text: 'Load more' }));

    const search = h('input', { type: 'search', id: 'q', placeholder: 'Search order id, #name or e-mail', value: f.q, 'aria-label': 'Search' });
    let debounce = null;
    search.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => { f.q = search.value.trim(); changed(); }, 300);
    });
    const stateSel = h('select', { id: 'filter-state', 'aria-label': 'State', onchange: (e) => { f.state = e.target.value; changed(); } },
      h('option', { value: '', text: 'All states' }), STATES.map((s) => h('option', { value: s, selected: f.state === s, text: STATE_LABEL[s] })));
    const sfSel = h('select', { id: 'filter-storefront', 'aria-label': 'Storefront', onchange: (e) => { f.storefront = e.target.value; changed(); } },
      h('option', { value: '', text: 'All storefronts' }));
    const toggle = (key, label) => h('label', { class: 'toggle' },
      h('input', { type: 'checkbox', id: `filter-${key}`, checked: f[key], onchange: (e) => { f[key] = e.target.checked; changed(); } }), label);

    v.replaceChildren(h('section', { class: 'card' },
      h('div', { class: 'toolbar' },
        h('div', { class: 'search grow' }, search), stateSel, sfSel, toggle('attention', 'Attention'), toggle('overdue', 'Overdue'), count),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'orders' },
          h('thead', {}, h('tr', {},
            h('th', { text: 'Order' }), h('th', { text: 'Storefront' }), h('th', { text: 'Customer' }), h('th', { text: 'State' }),
            h('th', { class: 'right', text: 'Total' }), h('th', { text: 'Received' }), h('th', { class: 'right', text: 'Capture → settled' }), h('th', { text: '' }))),
          body)),
      more));

    (async () => {
      storefronts = storefronts || (await api('/api/v1/storefronts')).storefronts;
      if (mine !== OG.gen) return;
      for (const s of storefronts) sfSel.append(h('option', { value: s.name, selected: f.storefront === s.name, text: s.name }));
    })().catch(() => {});

    function query() {
      const q = new URLSearchParams();
      for (const k of ['q', 'state', 'storefront']) if (f[k]) q.set(k, f[k]);
      if (f.attention) q.set('attention', 'true');
      if (f.overdue) q.set('overdue', 'true');
      return q;
    }

    function changed() {
      const q = query();
      history.replaceState(null, '', `/orders${q.toString() ? `?${q}` : ''}`);
      extraPages = false;
      load(false).catch((err) => toast('Could not load the orders', err.message, false));
    }

    function row(o) {
      const settled = between(o.captured_at || o.received_at, o.settled_at);
      return h('tr', { class: 'clickable', dataset: { order: orderKey(o), state: o.state }, onclick: (e) => { if (!e.target.closest('a')) OG.navigate(orderPath(o)); } },
        h('td', {}, h('div', { class: 'cell-stack' },
          h('a', { href: orderPath(o), 'data-link': true, class: 'primary', text: orderName(o) }),
          h('span', { class: 'secondary mono', text: o.order_id }))),
        h('td', { text: o.storefront }),
        h('td', {}, h('div', { class: 'cell-stack' }, h('span', { class: 'truncate', text: o.customer.name || '—' }), h('span', { class: 'secondary truncate', text: o.customer.email || '' }))),
        h('td', {}, pill(o.state)),
        h('td', { class: 'right', text: fmtMoney(o.total, o.currency) }),
        h('td', { title: fmtWhen(o.received_at), text: ago(o.received_at) }),
        h('td', { class: 'right', text: settled === null ? (o.state === 'confirmed' || o.state === 'rejected' || o.state === 'cancelled' ? '—' : `open ${fmtAge(ageOf(o.received_at))}`) : fmtMs(settled) }),
        h('td', {}, h('div', { class: 'actions' }, flags(o))));
    }

    async function load(append) {
      const q = query();
      let list;
      if (f.q) {
        q.set('limit', '200');
        list = await api(`/api/v1/search?${q}`);
        next = '';
      } else {
        q.delete('q');
        q.set('limit', '50');
        if (append && next) q.set('before', next);
        list = await api(`/api/v1/orders?${q}`);
        next = list.next || '';
      }
      if (mine !== OG.gen) return;
      if (append) extraPages = true;
      const rows = list.orders.map(row);
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      if (!body.children.length) {
        body.replaceChildren(h('tr', {}, h('td', { colspan: 8 }, h('div', { class: 'empty-state' }, h('strong', { text: 'No orders match' }), 'Change the filters or the search.'))));
      }
      const shown = list.orders.length ? body.querySelectorAll('tr[data-order]').length : 0;
      count.textContent = f.q
        ? `${fmtInt(shown)} found${list.complete ? '' : ` in the newest ${fmtInt(list.scanned)}`}`
        : `${fmtInt(shown)}${next ? '+' : ''} orders`;
      more.hidden = !next;
      v.dataset.ready = 'orders';
    }

    return {
      name: 'orders',
      async refresh() {
        // Rows loaded with "Load more" stay put; only the first page is live.
        if (!extraPages) await load(false);
      },
    };
  }

  // --- one order ---------------------------------------------------------

  const EVENT_CLASS = {
    received: 'ev-info', submitted: 'ev-info', ack_pending: 'ev-info', acknowledged: 'ev-good', notified: 'ev-good', confirmed: 'ev-good',
    submit_failed: 'ev-bad', notify_failed: 'ev-bad', rejected: 'ev-bad', notify_in_doubt: 'ev-warn', overdue: 'ev-warn',
    attention: 'ev-warn', alerted: 'ev-warn', cancelled: 'ev-bad', erp_cancel: 'ev-warn', operator: 'ev-op', reopened: 'ev-op',
  };

  // applicable guesses which actions fit the order, to offer only those;
  // the gateway decides, and says why when it refuses.
  function orderPage(v, mine, sf, id) {
    setCrumbs({ href: '/orders', text: 'Orders' }, `${sf}/${id}`);
    let shown = '';

    function render(o) {
      setCrumbs({ href: '/orders', text: 'Orders' }, orderName(o));
      const fact = (label, value, attrs = {}) => h('div', attrs, h('dt', { text: label }), h('dd', {}, value ?? '—'));
      const captured = o.captured_at || o.received_at;
      const head = h('div', { class: 'order-head' },
        h('div', {},
          h('h1', {}, h('span', { id: 'order-name', text: orderName(o) }), pill(o.state), flags(o)),
          h('div', { class: 'sub' }, `${o.storefront} · id `, h('span', { class: 'mono', text: o.order_id }), ' · ERP external id ', h('span', { class: 'mono', text: o.external_id }))),
        actionButtons(o, OG.afterAction));
      const banners = [];
      if (o.status) banners.push(h('div', { class: 'banner', id: 'status-line' }, h('strong', { text: 'Where it stands' }), h('span', { text: o.status })));
      if (o.attention) banners.push(h('div', { class: 'banner st-attention', id: 'attention-banner' }, h('strong', { text: 'Needs attention' }), h('span', { text: o.attention })));
      if (o.reason) banners.push(h('div', { class: `banner st-${o.state}` }, h('strong', { text: o.state === 'rejected' ? 'Rejected' : 'Reason' }), h('span', { text: o.reason })));

      const facts = h('dl', { class: 'facts' },
        fact('Customer', h('div', { class: 'cell-stack' }, h('span', { text: o.customer.name || '—' }), h('span', { class: 'muted', text: o.customer.email || '' }), o.customer.phone ? h('span', { class: 'muted', text: o.customer.phone }) : null), { class: 'wide' }),
        fact('Total', fmtMoney(o.total, o.currency)),
        fact('ERP reference', o.erp_ref ? h('span', { class: 'mono', text: o.erp_ref }) : '—'),
        fact('ERP submit attempts', fmtInt(o.erp_attempts)),
        fact('Captured at the storefront', fmtWhen(o.captured_at)),
        fact('Received here', fmtWhen(o.received_at)),
        fact('Acknowledged by the ERP', fmtWhen(o.acknowledged_at)),
        fact('Settled', fmtWhen(o.settled_at)),
        fact('Capture → ERP ack', fmtMs(between(captured, o.acknowledged_at))),
        fact('Capture → settled', fmtMs(between(captured, o.settled_at))),
        fact('Ships by', o.ship_by ? fmtWhen(o.ship_by) : '—'),
        fact('Overdue since', o.overdue_at ? fmtWhen(o.overdue_at) : '—'));

      const lines = h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', { text: 'SKU' }), h('th', { text: 'Item' }), h('th', { class: 'right', text: 'Ordered' }), h('th', { class: 'right', text: 'Validated by the ERP' }), h('th', { class: 'right', text: 'Price' }))),
        h('tbody', {}, (o.lines || []).map((l) => h('tr', {},
          h('td', { class: 'mono', text: l.sku || '—' }),
          h('td', { text: l.title || '' }),
          h('td', { class: 'right', text: fmtInt(l.quantity) }),
          h('td', { class: 'right' }, l.validated === undefined ? '—' : fmtInt(l.validated), l.short ? h('span', { class: 'flag st-attention', text: ` ${l.short.replace('_', ' ')}` }) : null),
          h('td', { class: 'right', text: fmtMoney(l.price, o.currency) })))));

      const events = o.timeline || [];
      const timeline = h('ol', { class: 'timeline', id: 'timeline' }, events.map((e) => h('li', { dataset: { kind: e.kind }, class: EVENT_CLASS[e.kind] || '' },
        h('span', { class: 'when', title: e.at, text: fmtStamp(e.at) }),
        h('span', { class: 'rail' }, h('span', { class: 'node' })),
        h('div', { class: 'what' },
          h('span', { class: 'kind', text: e.kind.replaceAll('_', ' ') }),
          e.attempt ? h('span', { class: 'source', text: `attempt ${e.attempt}` }) : null,
          e.source ? h('span', { class: 'source', text: `· ${e.source}` }) : null,
          e.detail ? h('div', { class: 'detail', text: e.detail }) : null,
          e.error ? h('div', { class: 'err', text: e.error }) : null))));

      v.replaceChildren(head, ...banners,
        card('Order', null, facts),
        h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', { text: 'Lines' })), h('div', { class: 'card-body table-wrap' }, lines)),
        h('section', { class: 'card' },
          h('div', { class: 'card-head' }, h('h2', { text: 'Timeline' }), h('span', { class: 'hint', text: `${events.length} events, oldest first; failed attempts included` })),
          timeline));
      v.dataset.ready = 'order';
      v.dataset.events = String(events.length);
    }

    return {
      name: 'order',
      async refresh() {
        try {
          const o = await api(`/api/v1/orders/${encodeURIComponent(sf)}/${encodeURIComponent(id)}`);
          if (mine !== OG.gen) return;
          // Redraw only on news, so that a selection or a hover survives.
          const news = `${(o.timeline || []).length}|${o.state}|${o.attention || ''}|${o.overdue}`;
          if (news !== shown) {
            render(o);
            shown = news;
          }
        } catch (err) {
          if (err.status === 404) {
            v.replaceChildren(h('div', { class: 'empty-state' }, h('strong', { text: `No order ${sf}/${id}` }), h('a', { href: '/orders', 'data-link': true, text: 'Back to the orders' })));
            return;
          }
          throw err;
        }
      },
    };
  }

  // --- attention queue ---------------------------------------------------

  function attentionPage(v, mine) {
    setCrumbs('Attention');
    const body = h('tbody', { id: 'attention-body' });
    const hint = h('span', { class: 'hint' });
    v.replaceChildren(
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', { text: 'Orders waiting for a person' }), hint),
        h('div', { class: 'card-body' },
          h('p', { class: 'muted', text: OG.isAdmin()
            ? 'Each action asks for confirmation, then lands on the order’s timeline with your name. An action that does not fit the order is refused with the reason and changes nothing.'
            : 'You are signed in with a read-only token: sign in with an admin token to retry, release, cancel or replay.' })),
        h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'attention' },
          h('thead', {}, h('tr', {}, h('th', { text: 'Order' }), h('th', { text: 'State' }), h('th', { text: 'Why' }),
            h('th', { text: 'Storefront' }), h('th', { text: 'Received' }), h('th', { text: 'Actions' }))),
          body))));

    return {
      name: 'attention',
      async refresh() {
        const list = await api('/api/v1/orders?attention=true&limit=200');
        if (mine !== OG.gen) return;
        hint.textContent = `${fmtInt(list.orders.length)}${list.next ? '+' : ''} orders`;
        if (!list.orders.length) {
          body.replaceChildren(h('tr', {}, h('td', { colspan: 6 }, h('div', { class: 'empty-state' }, h('strong', { text: 'The queue is empty' }), 'Nothing needs a person right now.'))));
        } else {
          body.replaceChildren(...list.orders.map((o) => h('tr', { dataset: { order: orderKey(o), state: o.state } },
            h('td', {}, h('div', { class: 'cell-stack' }, h('a', { href: orderPath(o), 'data-link': true, class: 'primary', text: orderName(o) }), h('span', { class: 'secondary mono', text: o.order_id }))),
            h('td', {}, pill(o.state), ' ', o.overdue ? h('span', { class: 'flag st-overdue', text: '⏱ overdue' }) : null),
            h('td', { class: 'reason', text: o.attention }),
            h('td', { text: o.storefront }),
            h('td', { title: fmtWhen(o.received_at), text: ago(o.received_at) }),
            h('td', {}, actionButtons(o, OG.afterAction)))));
        }
        if (!list.next) OG.updateBadge({ orders: { attention: list.orders.length } });
        v.dataset.ready = 'attention';
      },
    };
  }

  Object.assign(OG.pages, { overview: overviewPage, orders: ordersPage, order: orderPage, attention: attentionPage });
})();
