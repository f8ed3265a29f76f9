import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

// A throwaway SQLite database with the demo data, and `pmo serve` on a free port, for the run.

const repository = resolve(here, '..', '..')
const pmo = join(repository, '.venv', 'bin', 'pmo')

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))))
    })
  })
}

async function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`pmo serve exited with ${server.exitCode}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error('pmo serve did not start in 120 seconds')
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'pmo-e2e-'))
  const env = {
    ...process.env,
    PMO_DATABASE_URL: `sqlite:///${join(dir, 'pmo.db')}`,
    PMO_SECRET_KEY: 'e2e-only-secret-key-of-at-least-32-characters',
    // PMO_E2E_DIST: a build of your own, when another build may replace dist/ during the run.
    PMO_FRONTEND_DIST: process.env.PMO_E2E_DIST ?? resolve(here, '..', 'dist'),
    PMO_LOG_LEVEL: 'WARNING',
    // Every journey signs in afresh from this one address: only failed sign-ins are limited
    // per address, so the default limit holds (it is tested in Python, tests/auth).
  }
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  // Absolute URLs (sign-in redirects, paging links, the OAuth issuer) name this server.
  Object.assign(env, { PMO_PUBLIC_URL: url })
  execFileSync(pmo, ['migrate'], { env, stdio: 'inherit' })
  execFileSync(pmo, ['demo'], { env, stdio: 'inherit' })
  const server = spawn(pmo, ['serve', '--host', '127.0.0.1', '--port', String(port)], { env, stdio: 'inherit' })
  await waitForHealth(url, server)
  process.env.PMO_E2E_BASE_URL = url
  // For specs that run `pmo worker --once` against the same database (e2e/aa-work.spec.ts).
  process.env.PMO_E2E_DATABASE_URL = env.PMO_DATABASE_URL
  return async () => {
    server.kill('SIGTERM')
    await new Promise((r) => server.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}
