// A static server for the browser tests: the package dir at /, tests/vectors at /project/,
// ../shared/vectors at /shared/, and /__files.json listing every vector file.
import { createServer } from 'node:http'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { extname, join, normalize, resolve } from 'node:path'

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.json': 'application/json', '.txt': 'text/plain', '.csv': 'text/plain' }

function walk(dir, base = '') {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n), `${base}${n}/`) : [`${base}${n}`]))
}

export function serve(roots) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname === '/__files.json') {
      const files = Object.fromEntries(Object.entries(roots).filter(([p]) => p !== '/').map(([p, d]) => [p, walk(d)]))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(files))
      return
    }
    const prefix = Object.keys(roots).filter((p) => url.pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0]
    const path = normalize(join(roots[prefix], decodeURIComponent(url.pathname.slice(prefix.length))))
    if (!path.startsWith(resolve(roots[prefix]))) return res.writeHead(403).end()
    try {
      const body = readFileSync(path)
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}` })))
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
