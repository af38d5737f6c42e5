import type { OpenAPIHono } from '@hono/zod-openapi'
import type { RouteEnv } from './context.ts'
import { inlinePageCsp } from './security-headers.ts'

/**
 * `/openapi.json` from the routes registered before it (each documents itself: `app.openapi` or
 * `plainRoute`), and a dependency-free `/docs` page that renders it.
 */
export function registerDocRoutes(app: OpenAPIHono<RouteEnv>): void {
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Herald',
      version: '0.1.0',
      description: 'Domain events and integration events at the edge. Errors are application/problem+json.',
    },
  })
  app.get('/docs', inlinePageCsp(), (c) => c.html(docsPage(String(c.get('secureHeadersNonce' as never)))))
}

// Self-contained on purpose: the service must document itself offline (no CDN). Its CSP lets only
// the script and style that carry this response's nonce run.
const docsPage = (nonce: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Herald API</title>
<style nonce="${nonce}">
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#111;background:#fff}
h2{margin-top:2rem;border-bottom:1px solid #ccc}
.op{border:1px solid #ccc;border-radius:6px;margin:.75rem 0;padding:.5rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f4f4f4;padding:.5rem;overflow:auto}
</style></head><body>
<h1>Herald API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>
<main id="ops" aria-live="polite">Loading…</main>
<script nonce="${nonce}">
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const esc=s=>String(s).replace(/[&<>"]/g,ch=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[ch]));
  let html='';
  for(const [path,ops] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(ops)){
      const body=op.requestBody&&Object.values(op.requestBody.content)[0];
      html+='<section class="op"><h3><span class="m">'+esc(method)+'</span> <code>'+esc(path)+'</code>'+(op.security?' <small>(admin token)</small>':'')+'</h3>'
        +(op.summary?'<p>'+esc(op.summary)+'</p>':'')
        +'<p>Responses: '+Object.entries(op.responses).map(([s,r])=>'<b>'+esc(s)+'</b> '+esc(r.description)).join(' · ')+'</p>'
        +(body?'<details><summary>Request body schema</summary><pre>'+esc(JSON.stringify(body.schema,null,2))+'</pre></details>':'')
        +'</section>';
    }
  }
  document.getElementById('ops').innerHTML=html;
});
</script></body></html>`
