// A browser MCP client: connects to the Streamable HTTP server given by ?server=…, verifies it
// with mcp-attest/mcp and renders the core's report (also as JSON in window.__result).
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { verifyServer } from 'mcp-attest/mcp'

const out = document.getElementById('out')
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  for (const c of children) e.append(c)
  return e
}
/** The core's report, as the page shows it (plain JSON; the whole report is kept under `report`). */
function summarize(url, r) {
  const p = r.passport
  return {
    url,
    verified: r.verified,
    serverDid: r.server?.did ?? null,
    error: r.code === null ? null : { code: r.code, message: r.message },
    challenge: r.challenge,
    passport: p ? { issuer: p.issuer, selfIssued: p.selfIssued, expiresAt: new Date(p.expiresAt * 1000).toISOString() } : null,
    tools: r.tools.filter((t) => t.status === 'verified').map((t) => ({ name: t.name, status: 'verified' })),
    rejected: r.tools.filter((t) => t.status !== 'verified').map((t) => ({ name: t.name, status: t.status, code: t.code, message: t.message })),
    report: r,
  }
}

function render(r) {
  const rows = [
    ...r.tools.map((t) => el('tr', { 'data-tool': t.name, 'data-status': 'verified' }, el('td', {}, el('code', {}, t.name)), el('td', { class: 'ok' }, '✔ verified'), el('td', {}, ''))),
    ...r.rejected.map((t) => el('tr', { 'data-tool': t.name ?? '', 'data-status': 'rejected' }, el('td', {}, el('code', {}, t.name ?? '(unnamed)')), el('td', { class: 'bad' }, `✘ rejected (${t.status})`), el('td', {}, `${t.code}: ${t.message}`))),
  ]
  out.replaceChildren(
    el('p', { id: 'verdict', class: `verdict ${r.verified ? 'ok' : 'bad'}` }, r.verified ? 'Server verified: every tool is signed by its identity' : 'Server NOT fully verified'),
    el('dl', {},
      el('dt', {}, 'Server DID'), el('dd', { id: 'did' }, el('code', {}, r.serverDid ?? '(not established)')),
      el('dt', {}, 'Passport'), el('dd', { id: 'passport' }, r.passport ? `issuer ${r.passport.issuer}${r.passport.selfIssued ? ' (self-issued)' : ''}, expires ${r.passport.expiresAt}` : 'none'),
      el('dt', {}, 'Challenge'), el('dd', { id: 'challenge' }, { skipped: 'not asked', verified: 'answered (key possession proven)', failed: 'failed' }[r.challenge]),
      ...(r.error ? [el('dt', {}, 'Error'), el('dd', { id: 'error' }, `${r.error.code}: ${r.error.message}`)] : []),
    ),
    el('table', { id: 'tools' }, el('tr', {}, el('th', {}, 'Tool'), el('th', {}, 'Status'), el('th', {}, 'Reason')), ...rows),
  )
}

async function main() {
  const url = new URLSearchParams(location.search).get('server')
  if (!url) throw new Error('no ?server= URL given')
  document.getElementById('url').textContent = url
  const client = new Client({ name: 'mcp-attest-browser-client', version: '0.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  try {
    const r = summarize(url, await verifyServer(client))
    render(r)
    window.__result = r
  } finally {
    await client.close()
  }
}

main().catch((e) => {
  const msg = String((e && e.stack) || e)
  out.replaceChildren(el('p', { id: 'verdict', class: 'verdict bad' }, `Error: ${msg}`))
  window.__result = { error: { code: 'client_error', message: msg } }
})
