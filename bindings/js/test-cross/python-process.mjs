// The Python test servers as the cross tests start them: over stdio through the SDK's transport,
// or over Streamable HTTP as a child process that prints `LISTENING <url>` once it accepts
// connections; always stopped (SIGTERM, then SIGKILL after 5 s).
import { spawn } from 'node:child_process'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

/** A connected SDK 1.x client of `python args…` and how to close both; `http` options go to the HTTP transport. */
export async function connectPython(python, args, transport, { name = 'ts-cross-client', http = {} } = {}) {
  const client = new Client({ name, version: '1.0.0' })
  if (transport === 'stdio') {
    await client.connect(new StdioClientTransport({ command: python, args: [...args, '--transport', 'stdio'], stderr: 'ignore' }))
    return { client, close: () => client.close().catch(() => {}) }
  }
  const child = spawn(python, [...args, '--transport', 'http', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const stop = async () => {
    if (child.exitCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(t)
  }
  try {
    const url = await new Promise((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error('the Python server did not start')), 30000)
      child.stdout.on('data', (d) => {
        out += d
        const m = /LISTENING (\S+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve(m[1])
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`the Python server exited with ${code}`))
      })
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(url), http))
  } catch (e) {
    await stop()
    throw e
  }
  return { client, close: async () => { await client.close().catch(() => {}); await stop() } }
}
