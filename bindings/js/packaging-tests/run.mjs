#!/usr/bin/env node
// npm pack, then install the tarball into throwaway Node ESM, Node CommonJS and Vite
// projects; each signs and verifies a passport and a tools list. The Vite build is loaded in
// headless Chromium.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, serve } from '../browser/server.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const pkgDir = resolve(here, '..')
const work = mkdtempSync(join(tmpdir(), 'mcp-attest-pack-'))
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString()
const npmQuiet = ['--no-audit', '--no-fund', '--loglevel=error']

try {
  const tgz = join(work, JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], pkgDir))[0].filename)
  console.log('packed', tgz)

  const project = (name, files, deps = []) => {
    const dir = join(work, name)
    execFileSync('mkdir', ['-p', dir])
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `pt-${name}`, private: true, version: '0.0.0' }))
    for (const [from, to] of files) copyFileSync(join(here, from), join(dir, to))
    sh('npm', ['install', ...npmQuiet, tgz, ...deps], dir)
    return dir
  }

  const esm = project('node-esm', [['node-esm/test.mjs', 'test.mjs'], ['check.js', 'check.js']])
  writeFileSync(join(esm, 'package.json'), JSON.stringify({ name: 'pt-node-esm', private: true, type: 'module', dependencies: { 'mcp-attest': `file:${tgz}` } }))
  process.stdout.write(sh('node', ['test.mjs'], esm))

  const cjs = project('node-cjs', [['node-cjs/test.cjs', 'test.cjs'], ['check.js', 'check.mjs']])
  process.stdout.write(sh('node', ['test.cjs'], cjs))

  const vite = project('vite', [['vite/index.html', 'index.html'], ['vite/main.js', 'main.js'], ['vite/vite.config.mjs', 'vite.config.mjs'], ['check.js', 'check.js']], ['vite@8.3.8'])
  writeFileSync(join(vite, 'package.json'), JSON.stringify({ name: 'pt-vite', private: true, type: 'module' }))
  process.stdout.write(sh(join(vite, 'node_modules/.bin/vite'), ['build'], vite))
  console.log('vite build:', readdirSync(join(vite, 'dist/assets')).join(' '))
  const srv = await serve({ '/': join(vite, 'dist') })
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(`${srv.url}/index.html`)
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 })
    const r = await page.evaluate(() => window.__result)
    if (r !== 'ok' || errors.length) throw new Error(`vite build in Chromium: ${r} ${errors.join('\n')}`)
    console.log('vite (Chromium):', r)
  } finally {
    await browser.close()
    srv.server.close()
  }
  console.log('packaging tests passed')
} finally {
  rmSync(work, { recursive: true, force: true })
}
