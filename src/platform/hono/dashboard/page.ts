/**
 * The dashboard's HTML shell. Everything dynamic is built by /dashboard/assets/dashboard.js with
 * DOM APIs (textContent, never innerHTML), so event data can never become markup.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Herald · event flow</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script src="/dashboard/assets/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#timeline">Skip to the timeline</a>
<header class="top">
  <div class="brand">
    <h1><span id="service-name" class="service-name"></span> <span class="product">Herald event flow</span></h1>
    <p id="live" class="live" data-state="connecting"><span class="dot" aria-hidden="true"></span><span id="live-text">Connecting…</span></p>
  </div>
  <form id="demo" class="demo" hidden>
    <label for="scenario">Scenario</label>
    <select id="scenario" name="scenario"></select>
    <button type="submit" id="place-demo" class="primary">Place demo</button>
  </form>
</header>
<p id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></p>

<div class="layout">
  <nav class="panel subjects" aria-labelledby="subjects-title">
    <div class="panel-head">
      <h2 id="subjects-title">Subjects</h2>
      <button type="button" id="refresh" class="quiet" aria-label="Refresh everything">Refresh</button>
    </div>
    <p class="kind-choice" hidden><label id="subject-kind-label" for="subject-kind">Show</label> <select id="subject-kind"></select></p>
    <ol id="subjects" class="subject-list" aria-describedby="subjects-hint"><li class="empty">Loading…</li></ol>
    <p id="subjects-hint" class="hint" hidden></p>
  </nav>

  <main id="timeline" class="panel timeline" tabindex="-1" aria-labelledby="timeline-title">
    <div class="panel-head">
      <h2 id="timeline-title">Timeline</h2>
      <p id="timeline-status" class="hint"></p>
    </div>
    <div class="tabs" role="tablist" aria-label="How to show the chain">
      <button type="button" role="tab" id="tab-chain" data-view="chain" aria-controls="panel-chain" aria-selected="true">Causation chain</button>
      <button type="button" role="tab" id="tab-waterfall" data-view="waterfall" aria-controls="panel-waterfall" aria-selected="false" tabindex="-1">Waterfall</button>
    </div>
    <div id="timeline-body">
      <p class="empty">Nothing chosen yet. Choose one from the list, or place a demo where this service offers one, and watch it travel through the contexts.</p>
    </div>
    <details class="legend">
      <summary>How to read this</summary>
      <ul>
        <li><span class="kind k-command">command</span> an HTTP command; what it recorded without a cause.</li>
        <li><span class="kind k-domain">domain</span> a domain event in the event store, caused by the item above it.</li>
        <li><span class="kind k-job">job</span> a durable after-commit handler, sent through QStash.</li>
        <li><span class="kind k-integration">integration</span> an integration event: outbox row, then a CloudEvent through QStash.</li>
        <li><span class="kind k-delivery">delivery</span> QStash delivering it to a context: every attempt, its retry number and HTTP status.</li>
        <li><span class="kind k-reaction">reaction</span> a row a context wrote in answer to a delivery, as it declared for the dashboard.</li>
      </ul>
      <p>An arrow means “caused”. Where one thing caused several, the branches are indented. Links are drawn from <code>causationId</code> within the chain’s <code>correlationId</code>s.</p>
    </details>
  </main>

  <div class="side">
  <details class="panel dead fold" id="dead-letters" open>
    <summary class="panel-head"><h2 id="dead-title">Dead letters <span id="dead-count" class="count"></span></h2></summary>
    <p class="panel-tools"><button type="button" id="forget-token" class="quiet" hidden>Forget token</button></p>
    <form id="token-form" class="token-form">
      <label for="admin-token">Admin token</label>
      <div class="row">
        <input id="admin-token" name="token" type="password" autocomplete="off" spellcheck="false" required aria-describedby="token-hint">
        <button type="submit">Use token</button>
      </div>
      <p id="token-hint" class="hint">Needed to list and retry dead letters. Kept in this browser tab only (sessionStorage) and sent as a Bearer token to <code>/admin</code>.</p>
    </form>
    <div id="dead-body"></div>
  </details>

  <details class="panel outbox fold" id="outbox" open>
    <summary class="panel-head"><h2 id="outbox-title">Outbox <span id="outbox-count" class="count"></span></h2></summary>
    <p class="panel-tools"><button type="button" id="relay-failed" class="quiet" hidden>Relay failed rows</button></p>
    <div id="outbox-body"><p class="empty">Loading…</p></div>
  </details>

  </div>
</div>
<footer class="foot">
  <p>Live from the event store, the outbox and the delivery log. <span id="kind-hint"></span> API: <a href="/docs">/docs</a> · <a href="/asyncapi.json">/asyncapi.json</a></p>
</footer>
</body>
</html>
`
