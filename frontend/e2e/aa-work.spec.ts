// Named to run first: it expects the demo draw-down DD-0003 still waiting for the finance
// officer, which later journeys (decisions, money) consult on.
import { expect, test } from '@playwright/test'
import { type ChildProcess, spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkPage, signIn } from './helpers'

// The demo's DD-0003 waits for the views of finance and a member (backend/pmo/finance/demo.py):
// it is on finance@demo.test's work list, and raising it notified them, by email too.

const here = dirname(fileURLToPath(import.meta.url))
const venv = join(resolve(here, '..', '..'), '.venv', 'bin')
const PUBLIC_URL = 'https://pmo.chesterfield.test'

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))))
    })
  })
}

/** A real SMTP server on 127.0.0.1 (aiosmtpd's debugging handler prints each message it gets). */
async function smtpServer(port: number): Promise<{ server: ChildProcess; received: () => string }> {
  let output = ''
  const server = spawn(join(venv, 'python'), ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`])
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // Listening once a connection is accepted.
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((done) => {
      const probe = connect(port, '127.0.0.1')
      probe.once('connect', () => (probe.end(), done(true)))
      probe.once('error', () => done(false))
    })
    if (up) break
    await new Promise((r) => setTimeout(r, 100))
  }
  // Quoted-printable wraps long lines with a trailing '='; join them to read links whole.
  return { server, received: () => output.replace(/=\r?\n/g, '') }
}

test('my work shows a waiting decision, and its notification arrives in the app and by email', async ({ page }) => {
  await signIn(page, 'finance@demo.test')
  const counts = page.getByTestId('work-counts')
  await expect(counts.getByRole('link', { name: 'Draw-downs waiting for me: 1' })).toBeVisible()
  await checkPage(page, 'work-home')

  await counts.getByRole('link', { name: 'Draw-downs waiting for me: 1' }).click()
  await expect(page.getByRole('heading', { name: 'My work list' })).toBeVisible()
  const waiting = page.getByRole('region', { name: 'Draw-downs waiting for me' })
  await expect(waiting.getByRole('link', { name: /^DD-0003 / })).toBeVisible()
  await expect(waiting.getByRole('cell', { name: 'Give your view', exact: true })).toBeVisible()
  await checkPage(page, 'work-list')

  await page.getByTestId('unread-notifications').click()
  await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible()
  const notice = page.getByTestId('notifications').getByRole('link', { name: /DD-0003 .* waits for your view/ })
  await expect(notice).toBeVisible()
  await checkPage(page, 'work-notifications')

  await page.goto('/account')
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible()
  await expect(page.getByLabel('A decision is waiting for me')).toBeChecked()
  await checkPage(page, 'work-account')

  // The worker sends the outbox through the SMTP server; the request that raised it did not.
  const port = await freePort()
  const smtp = await smtpServer(port)
  try {
    // Run without blocking this process: it reads the SMTP server's output meanwhile.
    const worker = spawn(join(venv, 'pmo'), ['worker', '--once'], {
      env: {
        ...process.env,
        PMO_DATABASE_URL: process.env.PMO_E2E_DATABASE_URL,
        PMO_SECRET_KEY: 'e2e-only-secret-key-of-at-least-32-characters',
        PMO_SMTP_HOST: '127.0.0.1',
        PMO_SMTP_PORT: String(port),
        PMO_SMTP_FROM: 'pmo@chesterfield.test',
        PMO_PUBLIC_URL: PUBLIC_URL,
        PMO_LOG_LEVEL: 'WARNING',
      },
      stdio: 'inherit',
    })
    const code = await new Promise<number | null>((done) => worker.once('exit', done))
    expect(code).toBe(0)
    await expect.poll(() => smtp.received(), { timeout: 10_000 }).toMatch(/To: finance@demo.test\s+Subject: A decision is waiting for you: DD-0003/)
    // One block per message; finance's has their address, the subject and an absolute link.
    const message =
      smtp.received().split('MESSAGE FOLLOWS').find((block) => block.includes('To: finance@demo.test') && block.includes('DD-0003')) ?? ''
    expect(message).toMatch(/Subject: A decision is waiting for you: DD-0003 /)
    expect(message).toMatch(new RegExp(`${PUBLIC_URL}/drawdowns/[0-9a-f-]{36}`))
  } finally {
    smtp.server.kill('SIGTERM')
  }
})
