import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

// For each of the two projects: a throwaway SQLite database with the demo data, and `pmo serve`
// on a free port, for the run.

const repository = resolve(here, '..', '..')
const pmo = join(repository, '.venv', 'bin', 'pmo')

/** `count` free ports, all held at once while they are found, so no two are the same. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer())
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((done, fail) => {
          server.listen(0, '127.0.0.1', () => {
            const address = server.address()
            return typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))
          })
        }),
    ),
  )
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))))
  return ports
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

type Started = { url: string; databaseUrl: string; server: ChildProcess; dir: string }

/** A demo database of its own and `pmo serve` on a free port, for one project of the run. */
async function startServer(port: number): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'pmo-e2e-'))
  const databaseUrl = `sqlite:///${join(dir, 'pmo.db')}`
  const url = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    PMO_DATABASE_URL: databaseUrl,
    PMO_SECRET_KEY: 'e2e-only-secret-key-of-at-least-32-characters',
    // PMO_E2E_DIST: a build of your own, when another build may replace dist/ during the run.
    PMO_FRONTEND_DIST: process.env.PMO_E2E_DIST ?? resolve(here, '..', 'dist'),
    PMO_LOG_LEVEL: 'WARNING',
    // Absolute URLs (sign-in redirects, paging links, the OAuth issuer) name this server.
    PMO_PUBLIC_URL: url,
    // Every journey signs in afresh from this one address: only failed sign-ins are limited
    // per address, so the default limit holds (it is tested in Python, tests/auth).
  }
  await run(pmo, ['migrate'], env)
  await run(pmo, ['demo'], env)
  const server = spawn(pmo, ['serve', '--host', '127.0.0.1', '--port', String(port)], { env, stdio: 'inherit' })
  await waitForHealth(url, server)
  return { url, databaseUrl, server, dir }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: 'inherit' })
    child.once('error', fail)
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`pmo ${args.join(' ')} exited with ${code}`))))
  })
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  // Two servers, one for each project of playwright.config.ts, made side by side.
  const results = await Promise.allSettled((await freePorts(2)).map(startServer))
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const stop = async () => {
    for (const { server, dir } of started) {
      server.kill('SIGTERM')
      await new Promise((r) => server.once('exit', r))
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const failed = results.find((r) => r.status === 'rejected')
  const [a, b] = started
  if (failed || !a || !b) {
    await stop()
    throw failed?.reason ?? new Error('the servers did not start')
  }
  process.env.PMO_E2E_BASE_URL = a.url
  process.env.PMO_E2E_BASE_URL_B = b.url
  // For specs that run `pmo worker --once` against project a's database (e2e/aa-work.spec.ts).
  process.env.PMO_E2E_DATABASE_URL = a.databaseUrl
  return stop
}
