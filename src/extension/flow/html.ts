// The flow webview's HTML. Shared by the extension (FlowPanel) and the browser test,
// so the test runs under the very Content Security Policy users get. No `vscode`
// import: the caller passes the webview's cspSource and resource URIs.
import { randomBytes } from 'node:crypto';

export interface FlowHtmlOptions {
  /** `webview.cspSource` (the origin resources are served from). */
  cspSource: string;
  /** URI of dist/media/flow.js and dist/media/flow.css as the webview sees them. */
  scriptUri: string;
  styleUri: string;
  nonce?: string;
  title?: string;
}

/** A fresh nonce per page load (crypto-random, unlike the samples' Math.random). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content-Security-Policy of the flow view: nothing but our script, our CSS and the toolkit's styles. */
export function flowCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    // The toolkit (FAST) adopts constructed stylesheets, which CSP does not govern, and
    // probes :focus-visible with a <style> carrying the nonce it reads from
    // <meta property="csp-nonce">. No 'unsafe-inline', no 'unsafe-eval'.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function renderFlowHtml(opts: FlowHtmlOptions): string {
  const nonce = opts.nonce ?? makeNonce();
  const title = escapeAttr(opts.title ?? 'LVS flow');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(flowCsp(opts.cspSource, nonce))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(opts.styleUri)}" nonce="${nonce}">
<title>${title}</title>
</head>
<body>
<div id="app" data-nonce="${nonce}"><p class="loading" id="loading">Loading capture…</p></div>
<script nonce="${nonce}" src="${escapeAttr(opts.scriptUri)}"></script>
</body>
</html>`;
}
