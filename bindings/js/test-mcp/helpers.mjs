// Starts the test server (test-mcp/server.mjs) over stdio or Streamable HTTP on 127.0.0.1 and
// connects a real SDK 1.x client to it. Every start returns a close() that stops both.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

export const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url))
export const TRANSPORTS = ['stdio', 'http']

function flagList(flags) {
  return Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])
}

/** Starts `server` (a test server script) over Streamable HTTP on 127.0.0.1; resolves with the child and its URL. */
export async function startHttpServer(flags, server = SERVER) {
  const child = spawn(process.execPath, [server, '--transport', 'http', '--port', '0', ...flagList(flags)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const url = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /LISTENING (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited ${code}: ${stderr}`))
    })
  })
  return { child, url }
}

/** Stops a server child started by {@link startHttpServer}. */
export async function stopChild(child) {
  if (child.exitCode !== null) return
  const gone = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 3000)
  await gone
  clearTimeout(t)
}

/**
 * Connects an SDK 1.x client to a fresh `server` (default: the SDK 1.x test server); `close()`
 * always stops both. `transportOptions` go to the Streamable HTTP client transport (e.g. `fetch`).
 */
export async function connect(transport, flags = {}, clientOptions = {}, server = SERVER, transportOptions = {}) {
  const client = new Client({ name: 'identity-test-client', version: '1.0.0' }, clientOptions)
  if (transport === 'stdio') {
    const t = new StdioClientTransport({ command: process.execPath, args: [server, '--transport', 'stdio', ...flagList(flags)], stderr: 'pipe' })
    await client.connect(t)
    return { client, close: async () => { await client.close().catch(() => {}) } }
  }
  const { child, url } = await startHttpServer(flags, server)
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), transportOptions))
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  }
  const close = async () => {
    await client.close().catch(() => {})
    await stopChild(child)
  }
  return { client, close, url }
}

/** Runs `fn` with a connected client and always closes. */
export async function withServer(transport, flags, fn, clientOptions, server) {
  const c = await connect(transport, flags, clientOptions, server)
  try {
    return await fn(c.client, c)
  } finally {
    await c.close()
  }
}
