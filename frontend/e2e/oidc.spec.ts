import { type ChildProcess, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, request, test } from '@playwright/test'
import { PASSWORD, expectAccessible, signIn } from './helpers'

// Signing in with the council account: a real OpenID provider (oidc-provider, the same one the
// Python tests start, tests/oidc/provider) on 127.0.0.1, its own login page, and sign-out there.

const here = dirname(fileURLToPath(import.meta.url))
const providerScript = resolve(here, '..', '..', 'tests', 'oidc', 'provider', 'provider.mjs')
const SECRET = 'e2e-client-secret-of-some-length-0123456789'

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))))
    })
  })
}

function signingKeys(): object[] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  return [
    { ...rsa, kid: 'e2e-rsa', alg: 'RS256', use: 'sig' },
    { ...ec, kid: 'e2e-ec', alg: 'ES256', use: 'sig' },
  ]
}

let provider: ChildProcess
let issuer = ''
let dir = ''

test.beforeAll(async () => {
  const app = process.env.PMO_E2E_BASE_URL as string
  const port = await freePort()
  issuer = `http://127.0.0.1:${port}`
  dir = mkdtempSync(join(tmpdir(), 'pmo-e2e-oidc-'))
  writeFileSync(
    join(dir, 'accounts.json'),
    JSON.stringify({ priya: { email: 'pmo@demo.test', email_verified: true, name: 'Priya Patel', groups: ['pmo-office'] } }),
  )
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      port,
      accounts_file: join(dir, 'accounts.json'),
      cookie_key: 'e2e-cookie-key-0123456789abcdef0123',
      keys: signingKeys(),
      clients: [
        {
          client_id: 'demo-pmo',
          client_secret: SECRET,
          redirect_uris: [`${app}/api/v1/auth/oidc/callback`],
          post_logout_redirect_uris: [`${app}/sign-in/demo`],
          backchannel_logout_uri: `${app}/api/v1/auth/oidc/organisations/demo/backchannel-logout`,
          backchannel_logout_session_required: true,
        },
      ],
    }),
  )
  provider = spawn('node', [providerScript, join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((done, fail) => {
    provider.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) done()
    })
    provider.once('exit', (code) => fail(new Error(`the OpenID provider exited with ${code}`)))
  })

  // The demo council's administrator points the product at the provider (the API, as the admin page does).
  const api = await request.newContext({ baseURL: app })
  const token = await api.post('/api/v1/auth/token', {
    form: { grant_type: 'password', username: 'admin@demo.test', password: PASSWORD },
  })
  expect(token.ok()).toBeTruthy()
  const headers = { Authorization: `Bearer ${(await token.json()).access_token}` }
  const put = await api.put('/api/v1/organisation/identity-provider', {
    headers,
    data: {
      slug: 'demo',
      issuer,
      client_id: 'demo-pmo',
      client_secret: SECRET,
      group_roles: [{ group: 'pmo-office', role: 'pmo' }],
      email_domains: ['demo.test'],
    },
  })
  expect(put.status(), await put.text()).toBe(200)
  await api.dispose()
})

test.afterAll(async () => {
  provider?.kill('SIGTERM')
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('the administrator sees the provider, its secret never shown', async ({ page }) => {
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/identity-provider')
  await expect(page.getByRole('heading', { name: 'Identity provider' })).toBeVisible()
  await expect(page.getByLabel('Issuer')).toHaveValue(issuer)
  await expect(page.getByLabel('Client secret')).toHaveValue('')
  await expect(page.getByText('Stored (never shown)')).toBeVisible()
  await expect(page.getByLabel('Groups and roles')).toHaveValue('pmo-office = pmo')
  expect(await page.content()).not.toContain(SECRET)
  await expectAccessible(page, 'the identity provider admin page')
})

test('an officer signs in through the provider’s login page and signs out there too', async ({ page }) => {
  // From the email's domain on the ordinary sign-in page...
  await page.goto('/')
  await page.getByLabel('Email address').fill('someone@demo.test')
  await page.getByLabel('Password').focus()
  await expect(page.getByRole('button', { name: 'Sign in with your council account' })).toBeVisible()
  // ...or from the council's own sign-in address.
  await page.goto('/sign-in/demo')
  const council = page.getByRole('button', { name: 'Sign in with your council account' })
  await expect(council).toBeVisible()
  await expectAccessible(page, 'the council sign-in page')
  await council.click()

  // The provider's own login page.
  await expect(page).toHaveURL(new RegExp(`^${issuer}/interaction/`))
  await page.locator('input[name="login"]').fill('priya')
  await page.locator('input[name="password"]').fill('anything')
  await page.locator('button[type="submit"]').click()

  // Back in the product, with its own session.
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
  await expect(page.getByText('Signed in as Priya Patel (PMO)')).toBeVisible()
  await page.reload()
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()

  // Sign-out ends the product's session and goes to the provider's sign-out page.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`^${issuer}/session/end`))
  await page.getByRole('button', { name: 'Yes, sign me out' }).click()
  await expect(page).toHaveURL(/\/sign-in\/demo/)
  await expect(page.getByRole('button', { name: 'Sign in with your council account' })).toBeVisible()
})
