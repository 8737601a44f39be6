// The ordergate dashboard's building blocks: element building, formatting,
// the API client, and the parts every page shares (crumbs, toasts, pills,
// the actions and their confirmation dialog). Pages are drawn with DOM
// calls and textContent only, never from HTML strings, so nothing an order
// holds can become markup. Everything is shared on window.OG.
(() => {
  'use strict';

  const OG = (window.OG = { pages: {}, gen: 0, session: null });

  const STATES = ['received', 'submitted', 'acknowledged', 'confirmed', 'rejected', 'cancelled'];
  const STATE_LABEL = {
    received: 'Received', submitted: 'Submitted', acknowledged: 'Acknowledged',
    confirmed: 'Confirmed', rejected: 'Rejected', cancelled: 'Cancelled',
  };
  // What each action does, in the words of the README.
  const ACTIONS = {
    retry: {
      label: 'Retry',
      text: 'Run the order’s pending step now: the ERP submit (looked up in the ERP first if it was tried before), the acknowledgment check, the confirmation, or the ERP cancel.',
    },
    release: {
      label: 'Release',
      text: 'Accept the held order as it stands: one the ERP took only in part is confirmed with its short lines; any other flag is cleared as handled.',
    },
    replay: {
      label: 'Replay',
      text: 'Send the order through the ERP handoff again, once the cause is fixed (a SKU added in the ERP). It is looked up in the ERP first, so nothing is created twice.',
    },
    cancel: {
      label: 'Cancel order',
      danger: true,
      text: 'Cancel the order, in the ERP too if the ERP may have it. No confirmation follows. This cannot be undone.',
    },
  };

  const $ = (sel, root = document) => root.querySelector(sel);

  // h builds an element: h('td', {class: 'x', dataset: {...}}, child, …).
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, kids);
    return el;
  }
  function append(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      el.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
  }


  // --- formatting -------------------------------------------------------

  const nf = new Intl.NumberFormat();
  const fmtInt = (n) => nf.format(n || 0);
  function fmtMs(ms) {
    if (ms === null || ms === undefined) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 10000) return `${(ms / 1000).toFixed(2)} s`;
    if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
    return `${(ms / 60000).toFixed(1)} min`;
  }
  function fmtAxisMs(ms) {
    if (ms < 1000) return `${Math.round(ms)}ms`;
    return `${+(ms / 1000).toFixed(1)}s`;
  }
  function fmtAge(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  }
  const ageOf = (iso) => (iso ? (Date.now() - new Date(iso).getTime()) / 1000 : null);
  const ago = (iso) => (iso ? `${fmtAge(ageOf(iso))} ago` : '—');
  function fmtWhen(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return d.toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }
  function fmtStamp(iso) {
    const d = new Date(iso);
    const t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${t}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  }
  function fmtMoney(total, currency) {
    if (total === undefined || total === null) return '—';
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD' }).format(Number(total));
    } catch {
      return `${total} ${currency || ''}`.trim();
    }
  }
  const between = (a, b) => (a && b ? Math.max(0, new Date(b) - new Date(a)) : null);
  const orderKey = (o) => `${o.storefront}/${o.order_id}`;
  const orderPath = (o) => `/orders/${encodeURIComponent(o.storefront)}/${encodeURIComponent(o.order_id)}`;
  const orderName = (o) => o.name || `#${o.order_id}`;

  // --- the API ----------------------------------------------------------

  async function api(path, { method = 'GET', body } = {}) {
    const headers = { Accept: 'application/json' };
    const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = (OG.session && OG.session.csrf_token) || '';
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        opts.body = JSON.stringify(body);
      }
    }
    const res = await fetch(path, opts);
    if (res.status === 401) {
      const why = await res.json().catch(() => ({}));
      signIn(/expired/.test(why.error || '') ? 'expired' : 'ended');
      throw new Error('signed out');
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const err = new Error((data && data.error) || `${res.status} ${res.statusText}`);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  // signIn sends the operator to the login form, to come back here.
  function signIn(ended) {
    const q = new URLSearchParams({ next: location.pathname + location.search, ended });
    location.assign(`/login?${q}`);
  }

  const isAdmin = () => !!OG.session && OG.session.role === 'admin';


  // --- shared parts -------------------------------------------------------

  function setCrumbs(...parts) {
    const el = $('#crumbs');
    el.replaceChildren();
    parts.forEach((p, i) => {
      if (i) el.append(h('span', { class: 'sep', text: '/' }));
      el.append(typeof p === 'string' ? h('span', { text: p }) : h('a', { href: p.href, 'data-link': true, text: p.text }));
    });
    document.title = `${parts.map((p) => (typeof p === 'string' ? p : p.text)).reverse().join(' · ')} · ordergate`;
  }

  function setLive(state, text) {
    const el = $('#live');
    el.dataset.state = state;
    $('#live-text').textContent = text;
  }

  function toast(title, text, ok = true) {
    const t = h('div', { class: ok ? 'toast' : 'toast bad', role: 'status', dataset: { result: ok ? 'ok' : 'error' } },
      h('strong', { text: title }), text);
    $('#toasts').append(t);
    setTimeout(() => t.remove(), 7000);
  }


  function card(title, hint, ...body) {
    return h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', { text: title }), hint ? h('span', { class: 'hint' }, hint) : null),
      h('div', { class: 'card-body' }, body));
  }

  const pill = (state) => h('span', { class: `pill st-${state}`, dataset: { state } }, STATE_LABEL[state] || state);

  function flags(o) {
    return [
      o.attention ? h('span', { class: 'flag st-attention', title: o.attention }, '⚑ attention') : null,
      o.overdue ? h('span', { class: 'flag st-overdue', title: `overdue since ${fmtWhen(o.overdue_at)}` }, '⏱ overdue') : null,
    ];
  }


  // --- actions -------------------------------------------------------------

  function applicable(o) {
    const s = o.state;
    return {
      retry: ['received', 'submitted', 'acknowledged'].includes(s) || (s === 'cancelled' && !!o.attention),
      release: !!o.attention,
      replay: ['received', 'submitted', 'rejected'].includes(s),
      cancel: s !== 'cancelled' && s !== 'rejected',
    };
  }

  function actionButtons(o, after) {
    if (!isAdmin()) return h('span', { class: 'muted', title: 'Sign in with an admin token to act on orders', text: 'read-only' });
    const fits = applicable(o);
    return h('div', { class: 'actions' }, Object.keys(ACTIONS).filter((a) => fits[a]).map((a) =>
      h('button', {
        class: 'btn small', type: 'button', dataset: { action: a, order: orderKey(o) },
        onclick: (e) => { e.stopPropagation(); confirmAction(o, a, after); },
        text: ACTIONS[a].label.replace(' order', ''),
      })));
  }


  // --- the confirmation dialog --------------------------------------------

  function confirmAction(o, action, after) {
    const a = ACTIONS[action];
    const dlg = $('#confirm');
    const ok = $('#confirm-ok');
    const err = $('#confirm-error');
    const reason = $('#confirm-reason');
    $('#confirm-title').textContent = `${a.label} ${orderName(o)}?`;
    $('#confirm-text').textContent = a.text;
    const summary = [
      h('dt', { text: 'Order' }), h('dd', {}, h('strong', { text: orderName(o) }), ' ', h('span', { class: 'muted mono', text: orderKey(o) })),
      h('dt', { text: 'State' }), h('dd', {}, pill(o.state)),
    ];
    if (o.attention) summary.push(h('dt', { text: 'Attention' }), h('dd', { text: o.attention }));
    $('#confirm-order').replaceChildren(...summary);
    ok.textContent = a.label;
    ok.className = a.danger ? 'btn danger' : 'btn primary';
    ok.disabled = false;
    err.hidden = true;
    reason.value = '';
    dlg.dataset.action = action;
    dlg.dataset.order = orderKey(o);

    const form = $('#confirm-form');
    form.onsubmit = async (e) => {
      if (!e.submitter || e.submitter.value !== 'ok') return; // "Keep as is" closes the dialog
      e.preventDefault();
      ok.disabled = true;
      err.hidden = true;
      try {
        const why = reason.value.trim();
        const res = await api(`/api/v1/orders/${encodeURIComponent(o.storefront)}/${encodeURIComponent(o.order_id)}/${action}`,
          { method: 'POST', body: why ? { reason: why } : undefined });
        dlg.close();
        toast(`${a.label}: ${orderName(o)}`, res.did);
        after();
      } catch (ex) {
        if (ex.message === 'signed out') return;
        err.textContent = ex.message;
        err.hidden = false;
        ok.disabled = false;
      }
    };
    dlg.showModal();
    reason.focus();
  }


  Object.assign(OG, {
    STATES, STATE_LABEL, ACTIONS, $, h, fmtInt, fmtMs, fmtAxisMs, fmtAge, ageOf, ago, fmtWhen, fmtStamp, fmtMoney,
    between, orderKey, orderPath, orderName, api, isAdmin, setCrumbs, setLive, toast, card, pill, flags, actionButtons,
  });
})();
