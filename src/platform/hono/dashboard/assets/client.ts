/**
 * The dashboard's browser script (served as /dashboard/assets/dashboard.js). Plain ES2020, no
 * framework, no build step. Rules of the house: every piece of data reaches the page through
 * textContent or setAttribute, never innerHTML; the source below must not contain a backtick or
 * a dollar-brace, since it lives in a String.raw template (test/browser checks it parses).
 */
export const DASHBOARD_JS = String.raw`
(() => {
  'use strict';

  const TOKEN_KEY = 'herald.adminToken';
  const STEPS = [
    ['submitted', 'OrderStarted'],
    ['awaiting_validation', 'OrderStatusChangedToAwaitingValidation'],
    ['stock_confirmed', 'OrderStatusChangedToStockConfirmed'],
    ['paid', 'OrderStatusChangedToPaid'],
    ['shipped', 'OrderShipped'],
  ];
  const STATUS_TONE = {
    submitted: 'warn', awaiting_validation: 'warn', stock_confirmed: 'warn', paid: 'ok', shipped: 'info', cancelled: 'bad',
    published: 'ok', pending: 'warn', failed: 'bad',
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    live: $('live'), liveText: $('live-text'), announcer: $('announcer'),
    demo: $('demo'), scenario: $('scenario'), placeDemo: $('place-demo'), refresh: $('refresh'),
    orders: $('orders'), ordersHint: $('orders-hint'),
    timeline: $('timeline'), timelineBody: $('timeline-body'), timelineStatus: $('timeline-status'),
    outboxBody: $('outbox-body'), relayFailed: $('relay-failed'),
    tokenForm: $('token-form'), tokenInput: $('admin-token'), forgetToken: $('forget-token'), deadBody: $('dead-body'),
  };

  const state = {
    orders: [],
    selected: readHash(),
    timeline: null,
    timelineError: null,
    outbox: null,
    dead: null,
    deadError: null,
    deadNotice: null,
    deadMessageIds: new Set(),
    expanded: new Set(),
    seen: null,
    publishedOpen: false,
    statusOf: new Map(),
  };

  // ---------------------------------------------------------------- small helpers

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** replaceChildren, skipping empty slots (it would print "null"). */
  function fill(el, ...children) {
    el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false && c !== ''));
  }

  const short = (id) => String(id || '').slice(0, 8);
  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
  const money = (n) => '$' + Number(n).toFixed(2);
  const pad = (n, w) => String(n).padStart(w || 2, '0');
  function clock(at) {
    if (at === null || at === undefined) return '';
    const d = new Date(typeof at === 'number' ? at : Date.parse(at));
    if (Number.isNaN(d.getTime())) return '';
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }
  function since(at, origin) {
    const ms = Date.parse(at) - origin;
    if (!Number.isFinite(ms)) return '';
    return ms < 1000 ? '+' + Math.max(0, ms) + ' ms' : '+' + (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }
  function chip(text, tone, label) {
    return h('span', { class: 'chip' + (tone ? ' ' + tone : ''), 'aria-label': label }, text);
  }
  function statusChip(status) {
    return chip(String(status).replace(/_/g, ' '), STATUS_TONE[status]);
  }
  function announce(text) {
    els.announcer.textContent = '';
    // A separate task, so screen readers notice a repeated message too.
    setTimeout(() => { els.announcer.textContent = text; }, 30);
  }
  function readHash() {
    const match = /^#order=([^&]+)/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }
  function cloudEventName(type) {
    const parts = String(type || '').split('.');
    return parts.length >= 4 ? { context: parts[1], name: parts[2], version: parts[3] } : { context: '', name: String(type || 'unknown'), version: '' };
  }

  /** Re-renders a region without losing keyboard focus inside it. */
  function keepFocus(region, render) {
    const active = document.activeElement;
    const key = active && region.contains(active) ? active.getAttribute('data-key') : null;
    render();
    if (key) {
      const again = region.querySelector('[data-key="' + CSS.escape(key) + '"]');
      if (again) again.focus();
    }
  }

  function getToken() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
  }
  function setToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch { /* storage disabled: the token lives until reload */ }
  }

  // In production every /dashboard/api call needs the operator's token: the one entered once, kept for this tab.
  function withToken(headers) {
    const token = getToken();
    return Object.assign({ Accept: 'application/json' }, token ? { Authorization: 'Bearer ' + token } : {}, headers);
  }
  async function api(path, init) {
    const response = await fetch(path, Object.assign({}, init, { headers: withToken(init && init.headers) }));
    const type = response.headers.get('Content-Type') || '';
    const body = type.includes('json') ? await response.json().catch(() => null) : await response.text();
    if (!response.ok) {
      const error = new Error((body && (body.detail || body.title)) || 'HTTP ' + response.status);
      error.status = response.status;
      throw error;
    }
    return body;
  }
  function admin(path, init) {
    const headers = Object.assign({ Authorization: 'Bearer ' + getToken() }, init && init.headers);
    return api(path, Object.assign({}, init, { headers }));
  }

  // ---------------------------------------------------------------- refresh scheduling

  const dirty = new Set();
  let timer = null;
  let running = false;
  function schedule(parts, delay) {
    for (const part of parts) dirty.add(part);
    if (timer !== null) return;
    timer = setTimeout(run, delay === undefined ? 60 : delay);
  }
  async function run() {
    timer = null;
    if (running) { timer = setTimeout(run, 60); return; }
    running = true;
    const parts = new Set(dirty);
    dirty.clear();
    try {
      const jobs = [];
      if (parts.has('orders')) jobs.push(loadOrders());
      if (parts.has('dead')) jobs.push(loadDead());
      if (parts.has('outbox')) jobs.push(loadOutbox());
      await Promise.all(jobs);
      if (parts.has('timeline') || parts.has('dead')) await loadTimeline();
    } finally {
      running = false;
    }
  }
  const everything = ['orders', 'timeline', 'outbox', 'dead'];

  // ---------------------------------------------------------------- orders

  async function loadOrders() {
    try {
      state.orders = await api('/dashboard/api/orders');
    } catch (error) {
      fill(els.orders, h('li', { class: 'error', text: 'Could not load orders: ' + error.message }));
      return;
    }
    if (!state.selected && state.orders.length > 0) {
      state.selected = state.orders[0].orderId;
      history.replaceState(null, '', '#order=' + encodeURIComponent(state.selected));
      schedule(['timeline'], 0);
    }
    renderOrders();
  }

  function renderOrders() {
    els.ordersHint.hidden = state.orders.length === 0;
    keepFocus(els.orders, () => {
      if (state.orders.length === 0) {
        fill(els.orders, h('li', { class: 'empty', text: 'No orders yet. Place a demo order to start.' }));
        return;
      }
      fill(els.orders, ...state.orders.map((o) => {
        const current = o.orderId === state.selected;
        const label = 'Order ' + short(o.orderId) + ', ' + o.status.replace(/_/g, ' ') + ', ' + o.buyerId + ', ' + money(o.total) +
          (o.failingDeliveries ? ', ' + o.failingDeliveries + ' deliveries failing' : o.failedAttempts ? ', ' + o.failedAttempts + ' failed delivery attempts, recovered' : '');
        return h('li', null, h('a', {
          class: 'order-link', href: '#order=' + encodeURIComponent(o.orderId), 'data-key': 'order:' + o.orderId,
          'data-order-id': o.orderId, 'aria-current': current ? 'true' : null, 'aria-label': label,
        },
        h('span', { class: 'id', text: short(o.orderId) }),
        statusChip(o.status),
        h('span', { class: 'sub' }, o.buyerId + ' · ' + money(o.total) + ' · ' + clock(o.startedAt),
          o.failingDeliveries ? [' · ', chip(o.failingDeliveries + ' failing', 'bad')]
            : o.failedAttempts ? [' · ', chip(o.failedAttempts + ' failed, recovered', 'warn')] : null)));
      }));
    });
  }

  // ---------------------------------------------------------------- timeline

  async function loadTimeline() {
    const id = state.selected;
    if (!id) return;
    try {
      const timeline = await api('/dashboard/api/orders/' + encodeURIComponent(id) + '/timeline');
      if (id !== state.selected) return;
      state.timeline = timeline;
      state.timelineError = null;
    } catch (error) {
      if (id !== state.selected) return;
      state.timeline = null;
      state.timelineError = error.status === 404 ? 'No order ' + id + '.' : 'Could not load the timeline: ' + error.message;
    }
    renderTimeline();
  }

  function renderTimeline() {
    const t = state.timeline;
    if (!t) {
      els.timelineStatus.textContent = '';
      fill(els.timelineBody, h('p', { class: state.timelineError ? 'error' : 'empty', text: state.timelineError || 'No order chosen yet.' }));
      return;
    }
    const previous = state.statusOf.get(t.order.orderId);
    if (previous && previous !== t.order.status) announce('Order ' + short(t.order.orderId) + ' is now ' + t.order.status.replace(/_/g, ' ') + '.');
    state.statusOf.set(t.order.orderId, t.order.status);

    const origin = Date.parse(t.order.startedAt);
    const before = state.seen;
    const seen = new Set();
    let detailsCount = 0;

    const domainTypes = new Set();
    (function collect(nodes) { for (const n of nodes) { if (n.kind === 'domain') domainTypes.add(n.type); collect(n.children); } })(t.roots);

    function card(n) {
      const key = n.kind + ':' + n.id;
      seen.add(key);
      const parts = describe(n);
      const detailsId = 'details-' + (detailsCount++);
      const open = state.expanded.has(key);
      const toggle = h('button', {
        type: 'button', class: 'card-title', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': detailsId, 'data-key': 'toggle:' + key,
        title: open ? 'Hide details' : 'Show details',
        onclick: () => {
          if (state.expanded.has(key)) state.expanded.delete(key); else state.expanded.add(key);
          keepFocus(els.timelineBody, renderTimeline);
        },
      }, h('span', { class: 'caret', 'aria-hidden': 'true' }, open ? '\u25BE' : '\u25B8'), parts.title, h('span', { class: 'visually-hidden' }, ' (details)'));
      return h('article', {
        class: 'card k-' + n.kind + (before && !before.has(key) ? ' fresh' : ''),
        'data-kind': n.kind, 'data-name': nameOf(n), 'data-state': n.state || (n.outbox && n.outbox.status) || null,
      },
      h('div', { class: 'card-head' },
        h('span', { class: 'kind' }, n.kind),
        toggle,
        parts.chips,
        n.at ? h('span', { class: 'card-time' }, h('time', { datetime: n.at, text: clock(n.at) }), ' ', h('span', { class: 'delta' }, since(n.at, origin))) : null),
      parts.meta ? h('div', { class: 'card-meta' }, parts.meta) : null,
      parts.extra || null,
      h('pre', { class: 'details', id: detailsId, hidden: !open }, open ? JSON.stringify(parts.details, null, 2) : ''));
    }

    function strand(node) {
      const list = h('ol', { class: 'strand' });
      let current = node;
      for (;;) {
        const item = h('li', { class: 'node' }, card(current));
        list.append(item);
        const kids = current.children || [];
        if (kids.length === 1) { current = kids[0]; continue; }
        if (kids.length > 1) {
          item.append(h('ol', { class: 'forks', 'aria-label': kids.length + ' branches caused by ' + describe(current).title },
            kids.map((kid) => h('li', null, strand(kid)))));
        }
        return list;
      }
    }

    const steps = h('ol', { class: 'steps', 'aria-label': 'Order progress' },
      STEPS.map(([status, type]) => h('li', { class: domainTypes.has(type) ? 'done' : '', 'aria-label': status.replace(/_/g, ' ') + (domainTypes.has(type) ? ', reached' : ', not reached') }, status.replace(/_/g, ' '))),
      domainTypes.has('OrderCancelled') ? h('li', { class: 'stop' }, 'cancelled') : null);

    const c = t.counts;
    els.timelineStatus.textContent = 'Updated ' + clock(new Date().toISOString());
    keepFocus(els.timelineBody, () => {
      fill(els.timelineBody,
        h('div', { class: 'summary' },
          h('h3', { text: 'Order ' + short(t.order.orderId), title: t.order.orderId }),
          h('span', { id: 'order-status', 'data-status': t.order.status }, statusChip(t.order.status))),
        h('p', { class: 'facts' },
          'Buyer ', h('b', { text: t.order.buyerId }), ' · total ', h('b', { text: money(t.order.total) }),
          ' · started ', h('b', { text: clock(t.order.startedAt) }),
          ' · ', plural(c.domainEvents, 'domain event') + ', ' + plural(c.integrationEvents, 'integration event') + ', ' + plural(c.jobs, 'job') + ', ' +
            plural(c.deliveryAttempts, 'delivery attempt') + (c.failedAttempts ? ' (' + c.failedAttempts + ' failed)' : '') + ', ' + plural(c.mails, 'mail')),
        steps,
        t.roots.length
          ? h('ol', { class: 'roots', 'aria-label': 'Causation chain of order ' + short(t.order.orderId) }, t.roots.map((root) => h('li', { class: 'root' }, strand(root))))
          : h('p', { class: 'empty', text: 'Nothing recorded for this order yet.' }));
    });
    state.seen = seen;
  }

  function nameOf(n) {
    return { command: 'command', domain: n.type, integration: n.type, job: n.handler, delivery: n.target, mail: n.mailKind }[n.kind] || n.kind;
  }

  function describe(n) {
    const chips = [];
    const ids = { id: n.id };
    if (n.kind === 'command') {
      return { title: 'Command in ' + n.context, meta: ['correlation ', h('code', { text: short(n.correlationId) })], chips, details: { correlationId: n.correlationId } };
    }
    if (n.kind === 'domain') {
      const aggregate = n.aggregateType + (n.aggregateType === 'Order' ? '' : ' ' + n.aggregateId) + ' v' + n.version;
      return {
        title: n.type, chips,
        meta: n.context + ' · ' + aggregate,
        details: Object.assign(ids, { type: n.type, aggregate: n.aggregateType + '/' + n.aggregateId, version: n.version, position: n.position, correlationId: n.correlationId, causationId: n.causationId, data: n.data }),
      };
    }
    if (n.kind === 'integration' || n.kind === 'job') {
      const outbox = n.outbox;
      if (!outbox) chips.push(chip('not from our outbox', ''));
      else if (outbox.status === 'published') chips.push(chip('published', 'ok', 'published to QStash'));
      else if (outbox.status === 'failed') chips.push(chip('publish failed ×' + outbox.attempts, 'bad'));
      else chips.push(chip(outbox.attempts ? 'in outbox · ' + outbox.attempts + (outbox.attempts === 1 ? ' failed publish' : ' failed publishes') : 'in outbox', 'warn'));
      if (outbox && outbox.notBefore) {
        const due = Date.parse(outbox.notBefore);
        chips.push(chip((due > Date.now() ? 'due ' : 'was due ') + clock(outbox.notBefore), due > Date.now() ? 'warn' : '', 'delayed until ' + clock(outbox.notBefore)));
      }
      const error = outbox && outbox.lastError && outbox.status !== 'published' ? h('div', { class: 'row-error', text: outbox.lastError }) : null;
      if (n.kind === 'job') {
        return {
          title: n.handler, chips, extra: error,
          meta: ['after-commit job for ', h('code', { text: n.type })],
          details: Object.assign(ids, { handler: n.handler, event: n.type, causationId: n.causationId, outbox }),
        };
      }
      const ce = cloudEventName(n.type);
      return {
        title: ce.name, chips, extra: error,
        meta: ['integration event ' + ce.version + ' from ' + n.context + ' · ', h('code', { text: n.type })],
        details: Object.assign(ids, { type: n.type, subject: n.subject, correlationId: n.correlationId, causationId: n.causationId, outbox, data: n.data }),
      };
    }
    if (n.kind === 'delivery') {
      const messageIds = new Set(n.attempts.map((a) => a.messageId).filter(Boolean));
      const dead = (n.state === 'failing' || n.state === 'rejected') && [...messageIds].some((id) => state.deadMessageIds.has(id));
      const last = n.attempts[n.attempts.length - 1];
      const label = {
        delivered: last && last.outcome === 'duplicate' ? 'duplicate' : 'delivered',
        failing: dead ? 'dead letter' : 'failing, QStash retries',
        rejected: 'rejected: dead letter',
        waiting: 'waiting',
        unrecorded: 'not recorded',
      }[n.state];
      const tone = { delivered: 'ok', failing: 'bad', rejected: 'bad', waiting: 'warn', unrecorded: '' }[n.state];
      chips.push(chip(label, tone));
      const attempts = n.attempts.length
        ? h('ol', { class: 'attempts', 'aria-label': 'Delivery attempts' }, n.attempts.map((a, i) => {
          // Upstash-Retried starts again at 0 when a dead letter is retried by hand.
          const which = a.retried > 0 ? 'retry ' + a.retried : i === 0 ? 'first try' : 'redelivered';
          return h('li', {
            class: a.status >= 300 ? 'failed' : '',
            'aria-label': which + ', HTTP ' + a.status + (a.outcome ? ' ' + a.outcome : '') + ', ' + a.durationMs + ' milliseconds at ' + clock(a.at),
            title: (a.messageId || '') + ' at ' + clock(a.at),
          }, which + ' · ' + a.status + (a.outcome ? ' ' + a.outcome : '') + ' · ' + a.durationMs + ' ms');
        }))
        : null;
      return {
        title: 'to ' + n.target, chips, extra: attempts,
        meta: n.handlers.length ? n.handlers.join(', ') : (n.targetKind === 'handler' ? 'durable handler' : 'subscriber ' + n.target),
        details: { target: n.target, handlers: n.handlers, state: n.state, attempts: n.attempts },
      };
    }
    if (n.kind === 'mail') {
      return { title: n.subject, chips, meta: 'mail to ' + n.to + ' · ' + n.mailKind, details: { id: n.id, to: n.to, kind: n.mailKind } };
    }
    return { title: n.kind, chips, meta: '', details: n };
  }

  // ---------------------------------------------------------------- outbox

  async function loadOutbox() {
    try {
      state.outbox = await api('/dashboard/api/outbox');
    } catch (error) {
      fill(els.outboxBody, h('p', { class: 'error', text: 'Could not load the outbox: ' + error.message }));
      return;
    }
    renderOutbox();
  }

  function outboxRow(m) {
    const ce = m.kind === 'integration' ? cloudEventName(m.topic) : { name: m.topic.replace(/^handler:/, ''), version: '' };
    const when = m.status === 'published' ? 'published ' + clock(m.publishedAt)
      : m.notBefore && Date.parse(m.notBefore) > Date.now() ? 'due ' + clock(m.notBefore)
      : m.attempts ? 'next attempt ' + clock(m.nextAttemptAt) : 'written ' + clock(m.createdAt);
    return h('li', { 'data-status': m.status },
      h('div', { class: 'row-head' }, h('span', { class: 'kind k-' + (m.kind === 'integration' ? 'integration' : 'job') }, m.kind === 'integration' ? 'event' : 'job'),
        h('span', { class: 'row-title', text: ce.name }), statusChip(m.status)),
      h('div', { class: 'row-meta' }, when + (m.attempts ? ' · ' + plural(m.attempts, 'attempt') : ''),
        m.orderId ? [' · ', h('a', { href: '#order=' + encodeURIComponent(m.orderId), text: 'order ' + short(m.orderId) })] : m.subject ? ' · ' + m.subject : null),
      m.lastError && m.status !== 'published' ? h('div', { class: 'row-error', text: m.lastError }) : null);
  }

  function renderOutbox() {
    const o = state.outbox;
    if (!o) return;
    const counts = h('p', { class: 'counts' },
      chip(o.counts.pending + ' pending', o.counts.pending ? 'warn' : ''),
      chip(o.counts.published + ' published', 'ok'),
      chip(o.counts.failed + ' failed', o.counts.failed ? 'bad' : ''));
    els.relayFailed.hidden = !(o.counts.failed > 0 && getToken());
    const details = h('details', { open: state.publishedOpen, ontoggle: (e) => { state.publishedOpen = e.target.open; } },
      h('summary', null, 'Recently published (' + o.published.length + ')'),
      h('ol', { class: 'rows' }, o.published.map(outboxRow)));
    keepFocus(els.outboxBody, () => {
      fill(els.outboxBody, counts,
        o.waiting.length
          ? h('ol', { class: 'rows', 'aria-label': 'Waiting and failed outbox rows' }, o.waiting.map(outboxRow))
          : h('p', { class: 'empty', text: 'Nothing waiting: every row is published.' }),
        o.published.length ? details : null);
    });
  }

  async function relayFailed() {
    els.relayFailed.disabled = true;
    try {
      const report = await admin('/admin/outbox/relay', { method: 'POST' });
      announce('Requeued ' + report.requeued + ' failed rows; published ' + report.published + '.');
      schedule(['outbox', 'timeline'], 0);
    } catch (error) {
      announce('Relay failed: ' + error.message);
    } finally {
      els.relayFailed.disabled = false;
    }
  }

  // ---------------------------------------------------------------- dead letters

  async function loadDead() {
    if (!getToken()) {
      state.dead = null;
      state.deadError = null;
      renderDead();
      return;
    }
    try {
      const list = await admin('/admin/dead-letters');
      const before = state.dead ? state.dead.length : null;
      state.dead = list;
      state.deadError = null;
      if (before !== null && list.length > before) announce(list.length + ' dead letter' + (list.length === 1 ? '' : 's') + ' waiting.');
    } catch (error) {
      state.dead = null;
      state.deadError = error.status === 401 ? 'The admin token was refused. Enter it again.' : 'Could not load dead letters: ' + error.message;
    }
    state.deadMessageIds = new Set((state.dead || []).map((d) => d.messageId));
    renderDead();
  }

  function parseBody(text) {
    try { return JSON.parse(text); } catch { return null; }
  }

  function renderDead() {
    const token = getToken();
    els.tokenForm.hidden = !!token && state.deadError === null;
    els.forgetToken.hidden = !token;
    els.relayFailed.hidden = !(state.outbox && state.outbox.counts.failed > 0 && token);
    const notice = state.deadNotice ? h('p', { class: 'notice', role: 'status', text: state.deadNotice }) : null;
    if (!token) {
      fill(els.deadBody, h('p', { class: 'empty', text: 'Enter the admin token to see dead letters.' }));
      return;
    }
    if (state.deadError) {
      fill(els.deadBody, h('p', { class: 'error', text: state.deadError }));
      return;
    }
    if (!state.dead) {
      fill(els.deadBody, h('p', { class: 'empty', text: 'Loading…' }));
      return;
    }
    keepFocus(els.deadBody, () => {
      if (state.dead.length === 0) {
        fill(els.deadBody, notice, h('p', { class: 'empty', text: 'No dead letters.' }));
        return;
      }
      fill(els.deadBody, notice, h('ol', { class: 'rows', 'aria-label': 'Dead letters' }, state.dead.map((d) => {
        const event = parseBody(d.body) || {};
        const ce = cloudEventName(event.type || (event.event && event.event.type) || d.urlGroup || '');
        const target = String(d.url || '').split('/').filter(Boolean).pop() || d.url;
        const orderId = typeof event.subject === 'string' ? event.subject : (event.event && event.event.aggregateId);
        const problem = parseBody(d.responseBody);
        const why = problem && (problem.detail || problem.code) ? String(problem.detail || problem.code) : String(d.responseBody || '').slice(0, 200);
        const retry = h('button', {
          type: 'button', class: 'primary', 'data-key': 'retry:' + d.dlqId, 'data-dlq-id': d.dlqId,
          'aria-label': 'Retry dead letter ' + ce.name + ' to ' + target,
          onclick: (e) => retryDead(d, ce.name, e.currentTarget),
        }, 'Retry');
        return h('li', { 'data-dlq-id': d.dlqId },
          h('div', { class: 'row-head' }, h('span', { class: 'row-title', text: ce.name }), chip('HTTP ' + d.responseStatus, 'bad')),
          h('div', { class: 'row-meta' }, '→ ' + target + ' · ' + clock(d.createdAt),
            orderId && state.orders.some((o) => o.orderId === orderId) ? [' · ', h('a', { href: '#order=' + encodeURIComponent(orderId), text: 'order ' + short(orderId) })] : null),
          why ? h('div', { class: 'row-error', text: why }) : null,
          h('div', { class: 'dead-actions' }, retry));
      })));
    });
  }

  async function retryDead(entry, name, button) {
    button.disabled = true;
    button.textContent = 'Retrying…';
    try {
      await admin('/admin/dead-letters/' + encodeURIComponent(entry.dlqId) + '/retry', { method: 'POST' });
      state.deadNotice = 'Retried ' + name + ': QStash is delivering it again.';
      announce(state.deadNotice);
      schedule(['dead', 'timeline', 'orders'], 0);
      setTimeout(() => schedule(['dead', 'timeline']), 1500);
    } catch (error) {
      announce('Retry failed: ' + error.message);
      state.deadNotice = 'Retry failed: ' + error.message;
      button.disabled = false;
      button.textContent = 'Retry';
      renderDead();
    }
  }

  // ---------------------------------------------------------------- demo orders

  function demoBody(scenario) {
    const year = (new Date().getFullYear() + 3) % 100;
    const card = { number: scenario === 'declined' ? '4111111111110000' : '4111111111111111', holderName: 'Dana Demo', expiration: '12/' + pad(year), securityNumber: '123', typeId: 2 };
    const items = scenario === 'no-stock'
      ? [{ productId: 'limited-print', productName: 'Signed limited print', unitPrice: 250, units: 50 }]
      : [{ productId: 'mug', productName: 'Herald mug', unitPrice: 12.5, units: 2 }, { productId: 'tee', productName: 'Herald tee', unitPrice: 20, units: 1 }];
    return {
      buyer: { id: 'demo', name: 'Dana Demo', email: 'dana@example.com' },
      address: { street: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: '62701' },
      card, items,
    };
  }

  async function placeDemo(event) {
    event.preventDefault();
    els.placeDemo.disabled = true;
    const label = els.placeDemo.textContent;
    els.placeDemo.textContent = 'Placing…';
    try {
      const placed = await api('/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(demoBody(els.scenario.value)) });
      announce('Placed demo order ' + short(placed.orderId) + '. Its timeline updates live.');
      select(placed.orderId, true);
    } catch (error) {
      announce('Could not place the demo order: ' + error.message);
      els.timelineBody.prepend(h('p', { class: 'error', text: 'Could not place the demo order: ' + error.message }));
    } finally {
      els.placeDemo.disabled = false;
      els.placeDemo.textContent = label;
    }
  }

  function select(orderId, push) {
    state.selected = orderId;
    state.timeline = null;
    state.seen = null;
    if (push) location.hash = 'order=' + encodeURIComponent(orderId);
    renderOrders();
    schedule(['orders', 'timeline'], 0);
  }

  // ---------------------------------------------------------------- live updates

  let source = null;
  function connect() {
    // EventSource cannot send a token: with one, read the same stream through fetch.
    if (getToken()) return streamWithToken();
    if (!('EventSource' in window)) {
      setLive('down', 'No live updates in this browser: use Refresh');
      return;
    }
    source = new EventSource('/dashboard/api/stream');
    source.addEventListener('open', () => setLive('live', 'Live'));
    source.addEventListener('ready', () => { setLive('live', 'Live'); schedule(everything, 0); });
    source.addEventListener('change', (message) => {
      let notice = { changed: [] };
      try { notice = JSON.parse(message.data); } catch { /* a malformed notice still means: refresh */ }
      const parts = new Set();
      for (const part of notice.changed || []) {
        if (part === 'events') { parts.add('orders'); parts.add('timeline'); }
        if (part === 'outbox') { parts.add('outbox'); parts.add('timeline'); }
        if (part === 'deliveries') { parts.add('timeline'); parts.add('orders'); if (getToken()) parts.add('dead'); }
      }
      schedule(parts.size ? [...parts] : everything);
      // QStash moves a message to the DLQ right after the last failed attempt we logged.
      if (parts.has('dead')) setTimeout(() => schedule(['dead']), 1200);
    });
    source.addEventListener('error', () => {
      if (source.readyState !== 2) { setLive('connecting', 'Reconnecting…'); return; }
      // Closed for good (the server answered with an error): try again a little later.
      setLive('down', 'Disconnected, retrying…');
      source.close();
      setTimeout(connect, 5000);
    });
  }
  function onNotice(data) {
    let notice = { changed: [] };
    try { notice = JSON.parse(data); } catch { /* a malformed notice still means: refresh */ }
    const parts = new Set();
    for (const part of notice.changed || []) {
      if (part === 'events') { parts.add('orders'); parts.add('timeline'); }
      if (part === 'outbox') { parts.add('outbox'); parts.add('timeline'); }
      if (part === 'deliveries') { parts.add('timeline'); parts.add('orders'); parts.add('dead'); }
    }
    schedule(parts.size ? [...parts] : everything);
  }
  async function streamWithToken() {
    try {
      const response = await fetch('/dashboard/api/stream', { headers: withToken({ Accept: 'text/event-stream' }) });
      if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
      setLive('live', 'Live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = (/^event: ?(.*)$/m.exec(message) || [])[1];
          const data = message.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          if (event === 'ready') schedule(everything, 0);
          if (event === 'change') onNotice(data);
        }
      }
    } catch { /* fall through: retry below */ }
    setLive('down', 'Disconnected, retrying…');
    setTimeout(connect, 5000);
  }
  function setLive(stateName, text) {
    els.live.setAttribute('data-state', stateName);
    els.liveText.textContent = text;
  }

  // ---------------------------------------------------------------- wiring

  els.demo.addEventListener('submit', placeDemo);
  els.refresh.addEventListener('click', () => schedule(everything, 0));
  els.relayFailed.addEventListener('click', relayFailed);
  els.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = els.tokenInput.value.trim();
    if (!token) return;
    setToken(token);
    els.tokenInput.value = '';
    state.deadError = null;
    state.dead = null;
    renderDead();
    schedule(['dead', 'outbox'], 0);
  });
  els.forgetToken.addEventListener('click', () => {
    setToken('');
    state.dead = null;
    state.deadError = null;
    state.deadNotice = null;
    state.deadMessageIds = new Set();
    renderDead();
    els.tokenInput.focus();
  });
  window.addEventListener('hashchange', () => {
    const id = readHash();
    if (id && id !== state.selected) select(id, false);
  });
  window.addEventListener('pagehide', () => { if (source) source.close(); });

  renderDead();
  schedule(everything, 0);
  connect();
  api('/dashboard/api/service').then((service) => {
    const label = document.getElementById('service-name');
    if (label && service && service.name) label.textContent = service.name + (service.peers && service.peers.length ? ' + ' + service.peers.length + ' peer(s)' : '');
  }).catch(() => { /* unlabelled */ });
})();
`
