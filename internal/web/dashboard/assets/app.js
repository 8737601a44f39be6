// The ordergate dashboard's shell: the routes, the polling that keeps the
// page live, the attention count in the sidebar, and the start. The pages
// are in pages.js, their parts in ui.js; all three share window.OG.
(() => {
  'use strict';

  const OG = window.OG;
  const { $, h, api, setLive, fmtInt } = OG;
  const POLL_MS = 5000;

  const view = () => $('#view');
  let page = null;
  let timer = null;
  let ticks = 0;

  function navigate(to) {
    history.pushState(null, '', to);
    route();
  }

  // Each route names the page that draws it and the sidebar entry it lights.
  const routes = [
    [/^\/$/, 'overview', 'overview'],
    [/^\/orders$/, 'orders', 'orders'],
    [/^\/orders\/([^/]+)\/([^/]+)$/, 'order', 'orders'],
    [/^\/attention$/, 'attention', 'attention'],
  ];

  function route() {
    clearTimeout(timer);
    OG.gen++;
    const v = view();
    v.replaceChildren(h('div', { class: 'loading', text: 'Loading…' }));
    delete v.dataset.ready;
    page = null;
    for (const [re, name, nav] of routes) {
      const m = location.pathname.match(re);
      if (!m) continue;
      document.querySelectorAll('.nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
      page = OG.pages[name](v, OG.gen, ...m.slice(1).map(decodeURIComponent));
      break;
    }
    if (!page) {
      v.replaceChildren(h('div', { class: 'empty-state' }, h('strong', { text: 'No such page' }), h('a', { href: '/', 'data-link': true, text: 'Back to the overview' })));
      return;
    }
    tick();
  }

  // tick refreshes the page and the attention count, then waits.
  async function tick() {
    clearTimeout(timer);
    const mine = OG.gen;
    try {
      await page.refresh();
      if (mine !== OG.gen) return;
      if (page.name !== 'overview' && ticks++ % 3 === 0) {
        updateBadge(await api('/api/v1/stats'));
      }
      setLive('live', `Live · updated ${new Date().toLocaleTimeString([], { hour12: false })}`);
    } catch (err) {
      if (mine !== OG.gen || err.message === 'signed out') return;
      setLive('error', `Update failed: ${err.message}`);
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (document.hidden) {
      setLive('paused', 'Paused while hidden');
      return;
    }
    timer = setTimeout(tick, POLL_MS);
  }

  // afterAction shows the page as the action left it, and the attention
  // count with it.
  function afterAction() {
    ticks = 0;
    tick();
  }

  function updateBadge(stats) {
    const b = $('#nav-attention');
    const n = stats.orders.attention;
    b.hidden = !n;
    b.textContent = fmtInt(n);
  }


  // --- start ---------------------------------------------------------------

  async function start() {
    Object.assign(OG, { navigate, afterAction, updateBadge });
    try {
      OG.session = await api('/api/v1/session');
    } catch {
      return;
    }
    const session = OG.session;
    $('#who').replaceChildren(
      h('strong', { text: session.name || 'Signed in' }),
      h('span', { id: 'role', dataset: { role: session.role }, text: session.role === 'admin' ? 'admin' : 'read-only' }),
      session.expires_at ? h('span', { text: ` · until ${new Date(session.expires_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}` }) : null);
    $('#sign-out').addEventListener('click', async () => {
      try {
        await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': session.csrf_token || '' } });
      } finally {
        location.assign('/login?signed_out=1');
      }
    });
    document.addEventListener('click', (e) => {
      const a = e.target.closest('a[data-link]');
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const url = new URL(a.href, location.href);
      if (url.origin !== location.origin) return;
      e.preventDefault();
      navigate(url.pathname + url.search);
    });
    window.addEventListener('popstate', route);
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) {
        clearTimeout(timer);
        setLive('paused', 'Paused while hidden');
      } else if (page) {
        tick();
      }
    });
    route();
  }

  start();
})();
