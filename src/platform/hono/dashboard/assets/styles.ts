/** The dashboard's stylesheet (served as /dashboard/assets/dashboard.css). */
export const DASHBOARD_CSS = String.raw`
:root {
  --bg: #f3f4f6; --panel: #ffffff; --text: #111827; --muted: #4b5563; --line: #d1d5db; --soft: #f9fafb;
  --focus: #1d4ed8; --primary: #1d4ed8; --primary-text: #ffffff;
  --ok-bg: #dcfce7; --ok: #14532d; --warn-bg: #fef3c7; --warn: #713f12; --bad-bg: #fee2e2; --bad: #7f1d1d;
  --info-bg: #dbeafe; --info: #1e3a8a; --neutral-bg: #e5e7eb; --neutral: #1f2937;
  --k-command: #334155; --k-domain: #4338ca; --k-integration: #0f766e; --k-job: #7e22ce; --k-delivery: #1d4ed8; --k-reaction: #9a3412;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
/* What the page hides stays hidden whatever display a class gives it (the demo form is a flex row). */
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: var(--text); background: var(--bg); overflow-wrap: break-word; }
code { font-family: var(--mono); font-size: .9em; }
a { color: var(--primary); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: .5rem; top: -3rem; background: #fff; color: var(--text); padding: .5rem .75rem; border-radius: 6px; z-index: 10; }
.skip:focus { top: .5rem; }

button, select, input { font: inherit; color: inherit; }
button { cursor: pointer; border: 1px solid #9ca3af; background: #fff; color: var(--text); border-radius: 6px; padding: .4rem .8rem; min-height: 2.25rem; }
button:hover { background: var(--soft); border-color: #6b7280; }
button:disabled { cursor: progress; opacity: .65; }
button.primary { background: var(--primary); border-color: var(--primary); color: var(--primary-text); font-weight: 600; }
button.primary:hover { background: #1e40af; }
button.quiet { padding: .25rem .6rem; min-height: 2rem; font-size: .875rem; }
button.danger { border-color: #b91c1c; color: #7f1d1d; }
select, input { border: 1px solid #6b7280; border-radius: 6px; padding: .4rem .5rem; background: #fff; min-height: 2.25rem; max-width: 100%; }

.top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .75rem 1.5rem; padding: .75rem 1.25rem; background: #111827; color: #f9fafb; }
.brand { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
.top h1 { margin: 0; font-size: 1.35rem; letter-spacing: .01em; }
.top h1 .product { font-weight: 400; font-size: .8em; color: #d1d5db; }
.live { margin: 0; display: inline-flex; align-items: center; gap: .4rem; font-size: .875rem; color: #e5e7eb; }
.live .dot { width: .6rem; height: .6rem; border-radius: 50%; background: #9ca3af; }
.live[data-state="live"] .dot { background: #4ade80; box-shadow: 0 0 0 3px rgba(74, 222, 128, .25); }
.live[data-state="down"] .dot { background: #f87171; }
.demo { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.demo label { font-size: .875rem; color: #e5e7eb; }
.demo select { background: #1f2937; color: #f9fafb; border-color: #6b7280; }
.top :focus-visible { outline-color: #93c5fd; }

.layout { display: grid; gap: 1rem; padding: 1rem 1.25rem; grid-template-columns: minmax(15rem, 19rem) minmax(0, 1fr); grid-template-areas: "subjects timeline" "side side"; align-items: start; max-width: 110rem; margin: 0 auto; }
.subjects { grid-area: subjects; }
.timeline { grid-area: timeline; }
.side { grid-area: side; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); align-items: start; min-width: 0; }
@media (min-width: 1100px) {
  .layout { grid-template-columns: minmax(15rem, 19rem) minmax(0, 1fr) minmax(18rem, 23rem); grid-template-areas: "subjects timeline side"; }
  .subjects, .side { position: sticky; top: 1rem; max-height: calc(100vh - 2rem); overflow-y: auto; }
  .side { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 760px) {
  .layout { grid-template-columns: minmax(0, 1fr); grid-template-areas: "subjects" "side" "timeline"; padding: .75rem; gap: .75rem; }
  .side { grid-template-columns: minmax(0, 1fr); gap: .75rem; }
  .top { padding: .75rem; }
  .demo { width: 100%; }
  .demo select { flex: 1 1 10rem; }
  .demo button { flex: 1 1 auto; }
}

.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: .9rem 1rem 1rem; min-width: 0; }
.panel-head { display: flex; align-items: center; justify-content: space-between; gap: .5rem; flex-wrap: wrap; margin-bottom: .5rem; }
.panel h2 { margin: 0; font-size: 1.05rem; }
.hint { margin: .25rem 0 0; color: var(--muted); font-size: .875rem; }
.empty { color: var(--muted); margin: .5rem 0; }
.error { color: var(--bad); background: var(--bad-bg); border-radius: 6px; padding: .4rem .6rem; }

.chip { display: inline-block; border-radius: 999px; padding: .05rem .55rem; font-size: .8rem; font-weight: 600; line-height: 1.5; white-space: nowrap; background: var(--neutral-bg); color: var(--neutral); }
.chip.ok { background: var(--ok-bg); color: var(--ok); }
.chip.warn { background: var(--warn-bg); color: var(--warn); }
.chip.bad { background: var(--bad-bg); color: var(--bad); }
.chip.info { background: var(--info-bg); color: var(--info); }

.subject-list { list-style: none; margin: 0; padding: 0; max-height: 70vh; overflow-y: auto; }
.subject-list li + li { margin-top: .35rem; }
.subject-link { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .1rem .5rem; padding: .5rem .6rem; border: 1px solid var(--line); border-radius: 8px; text-decoration: none; color: var(--text); }
.subject-link:hover { background: var(--soft); border-color: #9ca3af; }
.subject-link[aria-current="true"] { border-color: var(--primary); background: #eff6ff; box-shadow: inset 3px 0 0 var(--primary); }
.subject-link .id { font-family: var(--mono); font-weight: 600; }
.subject-link .sub { grid-column: 1 / -1; color: var(--muted); font-size: .85rem; }
@media (max-width: 760px) { .subject-list { max-height: 15.5rem; } }
@media (min-width: 1100px) { .subject-list { max-height: none; overflow: visible; } }

.summary { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem .75rem; margin: 0 0 .4rem; }
.summary h3 { margin: 0; font-size: 1.1rem; font-family: var(--mono); }
.facts { margin: 0 0 .75rem; color: var(--muted); font-size: .875rem; }
.facts b { color: var(--text); font-weight: 600; }
.steps { display: flex; flex-wrap: wrap; gap: .35rem; margin: 0 0 .9rem; padding: 0; list-style: none; }
.steps li { font-size: .8rem; border: 1px solid var(--line); border-radius: 6px; padding: .1rem .45rem; color: var(--muted); }
.steps li.done { border-color: #86efac; background: var(--ok-bg); color: var(--ok); font-weight: 600; }
.steps li.stop { border-color: #fca5a5; background: var(--bad-bg); color: var(--bad); font-weight: 600; }

/* The causation chain: a strand is a vertical line of things, each caused by the one above it;
   a fork holds several strands caused by the same thing. */
.strand, .roots { list-style: none; margin: 0; padding: 0; }
.root + .root { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px dashed var(--line); }
.forks { list-style: none; margin: .35rem 0 0; padding: 0 0 0 1rem; }
.forks > li { position: relative; padding-top: .45rem; }
.forks > li::before { content: ""; position: absolute; left: -.75rem; top: 1.45rem; width: .6rem; border-top: 2px solid #94a3b8; }
.forks > li::after { content: ""; position: absolute; left: -.75rem; top: 0; bottom: 0; border-left: 2px solid #94a3b8; }
.forks > li:last-child::after { bottom: auto; height: 1.45rem; }
.node { position: relative; }
.node + .node { margin-top: 1rem; }
.node + .node::before { content: "\2193"; position: absolute; top: -1.12rem; left: .85rem; font-size: .8rem; line-height: 1rem; color: #64748b; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--kind, #6b7280); border-radius: 8px; padding: .45rem .6rem; background: #fff; }
.card.fresh { animation: fresh 1.6s ease-out; }
@keyframes fresh { from { background: #fef9c3; } to { background: #fff; } }
@media (prefers-reduced-motion: reduce) { .card.fresh { animation: none; } }
.card-head { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .5rem; }
.card-title { font-weight: 600; min-width: 0; min-height: 0; padding: 0; border: 0; background: none; text-align: left; color: var(--text); font-size: 1rem; line-height: 1.35; }
.card-title:hover { background: none; text-decoration: underline; text-underline-offset: 3px; }
.card-title .caret { display: inline-block; width: .9em; color: var(--muted); font-size: .85em; }
.card-time { margin-left: auto; color: var(--muted); font-size: .8rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card-time .delta { color: var(--text); font-weight: 600; }
.card-meta { color: var(--muted); font-size: .85rem; margin-top: .1rem; }
.card-meta code { color: var(--neutral); }
.kind { display: inline-block; font-size: .68rem; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: #fff; background: var(--kind, #6b7280); border-radius: 4px; padding: .05rem .35rem; }
.k-command { --kind: var(--k-command); }
.k-domain { --kind: var(--k-domain); }
.k-integration { --kind: var(--k-integration); }
.k-job { --kind: var(--k-job); }
.k-delivery { --kind: var(--k-delivery); }
.k-reaction { --kind: var(--k-reaction); }
.attempts { display: flex; flex-wrap: wrap; gap: .3rem; list-style: none; margin: .3rem 0 0; padding: 0; }
.attempts li { white-space: nowrap; font-size: .78rem; font-family: var(--mono); border-radius: 4px; padding: .05rem .4rem; background: var(--ok-bg); color: var(--ok); }
.attempts li.failed { background: var(--bad-bg); color: var(--bad); }
.details { margin: .4rem 0 0; padding: .5rem; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; font: .78rem/1.4 var(--mono); white-space: pre-wrap; max-height: 18rem; overflow: auto; }

.counts { display: flex; flex-wrap: wrap; gap: .35rem; margin: 0 0 .6rem; }
.rows { list-style: none; margin: 0; padding: 0; }
.rows > li { border-top: 1px solid var(--line); padding: .5rem 0; }
.rows > li:first-child { border-top: 0; }
.row-head { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .5rem; }
.row-title { font-weight: 600; min-width: 0; }
.row-meta { color: var(--muted); font-size: .85rem; }
.row-error { color: var(--bad); font-size: .85rem; font-family: var(--mono); margin-top: .15rem; }
.outbox details { margin-top: .6rem; }
.outbox summary, .legend summary { cursor: pointer; color: var(--primary); font-weight: 600; }
.legend { margin-top: 1rem; font-size: .875rem; color: var(--muted); }
.legend ul { padding-left: 1.1rem; }
.legend li { margin: .25rem 0; }
.fold > summary { cursor: pointer; list-style: none; margin-bottom: 0; }
.fold > summary::-webkit-details-marker { display: none; }
.fold > summary h2::before { content: "\25B8"; display: inline-block; width: 1.1em; color: var(--muted); }
.fold[open] > summary h2::before { content: "\25BE"; }
.fold[open] > summary { margin-bottom: .5rem; }
.count { font-weight: 400; color: var(--muted); font-size: .9rem; }
.panel-tools { margin: 0 0 .4rem; display: flex; justify-content: flex-end; gap: .5rem; }
.panel-tools:not(:has(button:not([hidden]))) { display: none; }
.tabs { display: flex; gap: .25rem; border-bottom: 1px solid var(--line); margin: 0 0 .75rem; }
.tabs [role="tab"] { border: 1px solid transparent; border-bottom: 0; border-radius: 6px 6px 0 0; background: none; margin-bottom: -1px; min-height: 2rem; padding: .3rem .8rem; color: var(--muted); }
.tabs [role="tab"][aria-selected="true"] { border-color: var(--line); background: var(--panel); color: var(--text); font-weight: 600; }
.kind-choice { margin: 0 0 .5rem; font-size: .875rem; }

.token-form { margin-bottom: .5rem; }
.token-form label { display: block; font-weight: 600; margin-bottom: .25rem; }
.token-form .row { display: flex; gap: .5rem; flex-wrap: wrap; }
.token-form input { flex: 1 1 10rem; min-width: 0; }
.excerpt { white-space: pre-wrap; margin: .2rem 0 0; font-size: .78rem; max-height: 6rem; overflow: auto; }
.next-step, .schedule { margin: .3rem 0 0; }
.next-step { font-family: inherit; }
.dead-actions { display: flex; gap: .5rem; margin-top: .35rem; flex-wrap: wrap; }
.notice { margin: .5rem 0; padding: .4rem .6rem; border-radius: 6px; background: var(--info-bg); color: var(--info); }
.foot { color: var(--muted); font-size: .85rem; padding: 0 1.25rem 1.5rem; max-width: 110rem; margin: 0 auto; }
.waterfall { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .6rem; background: var(--soft); min-width: 0; }
.waterfall h3 { margin: 0 0 .2rem; font-size: 1rem; }
.waterfall .facts { margin-bottom: .4rem; }
.wf { width: 100%; table-layout: fixed; border-collapse: collapse; font-size: .8rem; }
.wf th, .wf td { padding: .2rem .3rem; border-top: 1px solid var(--line); vertical-align: top; text-align: left; font-weight: 400; }
.wf thead th { border-top: 0; color: var(--muted); font-weight: 600; }
.wf .num { width: 4.6rem; text-align: right; font-family: var(--mono); white-space: nowrap; }
.wf tbody th { overflow-wrap: break-word; }
.wf tr.failed .wf-label { color: var(--bad); font-weight: 600; }
.wf-label { display: block; }
.wf-track { display: block; position: relative; height: .55rem; margin-top: .2rem; background: #fff; border-radius: 3px; }
.wf-bar { position: absolute; top: 0; bottom: 0; min-width: 3px; border-radius: 3px; background: var(--kind, #6b7280); }
.wf-bar.instant { width: 3px !important; margin-left: -1px; }
.wf-bar.failed { background: #b91c1c; }
`
