// Runs every JavaScript example of docs/guide-typescript.md (node --test docs/examples/).
// An example is the ```js block after a `<!-- example: name -->` marker. Each runs in a
// subprocess from a temporary file inside bindings/js, so `mcp-attest`, `mcp-attest/mcp`,
// the SDK and zod resolve as they would for a user of the package. It must exit 0 within 60 s,
// and each `// expect: <text>` line must match a line of its stdout exactly (in order).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const jsDir = join(root, 'bindings', 'js')
const GUIDES = ['guide-typescript.md']

export function extract(markdown, langs) {
  const out = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- example: ([a-z0-9-]+) -->$/.exec(lines[i])
    if (!m) continue
    const fence = /^```(\w+)\s*$/.exec(lines[i + 1] ?? '')
    if (!fence) throw new Error(`example ${m[1]}: no fenced block right after the marker (line ${i + 1})`)
    const body = []
    let j = i + 2
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j++) body.push(lines[j])
    if (j === lines.length) throw new Error(`example ${m[1]}: unterminated block`)
    if (langs.includes(fence[1])) out.push({ name: m[1], lang: fence[1], code: body.join('\n') + '\n' })
    i = j
  }
  return out
}

for (const guide of GUIDES) {
  const md = readFileSync(join(root, 'docs', guide), 'utf8')
  const examples = extract(md, ['js', 'mjs'])
  test(`${guide} has examples, all marked`, () => {
    assert.ok(examples.length >= 5, `only ${examples.length} examples`)
    const fences = md.split('\n').filter((l) => /^```(js|mjs|ts|typescript|javascript)\s*$/.test(l)).length
    assert.equal(fences, examples.length, 'every js/ts block must be a marked, runnable example')
    assert.equal(new Set(examples.map((e) => e.name)).size, examples.length, 'example names are unique')
  })
  for (const ex of examples) {
    test(`${guide}: ${ex.name}`, () => {
      const file = join(jsDir, `.guide-example-${ex.name}-${process.pid}.mjs`)
      writeFileSync(file, ex.code)
      let r
      try {
        r = spawnSync(process.execPath, [file], { cwd: jsDir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, MCP_ATTEST_KEY_PEM: '' } })
      } finally {
        rmSync(file, { force: true })
      }
      assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`)
      const got = r.stdout.split('\n')
      let at = 0
      for (const want of ex.code.split('\n').map((l) => /^\s*\/\/ expect: (.*)$/.exec(l)).filter(Boolean).map((m) => m[1])) {
        const k = got.indexOf(want, at)
        assert.ok(k >= 0, `expected line ${JSON.stringify(want)} (in order) in stdout:\n${r.stdout}`)
        at = k + 1
      }
    })
  }
}
