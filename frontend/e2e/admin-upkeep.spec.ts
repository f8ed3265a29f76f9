// The administrator's upkeep: the organisation's settings, a directorate, a person, an API
// client's details and secrets, lifecycles. Records are this spec's own; the two settings other
// specs read (the KPI tolerance, which sets KPIs' RAG, and the default lifecycle, whose stages
// the dashboard counts by) are put back as they were, in the journey and again after it.
import { type APIRequestContext, expect, test } from '@playwright/test'
import { checkPage, PASSWORD, signIn } from './helpers'

const run = Date.now().toString(36)

async function bearer(request: APIRequestContext, email: string): Promise<Record<string, string>> {
  const response = await request.post('/api/v1/auth/token', { form: { grant_type: 'password', username: email, password: PASSWORD } })
  expect(response.ok()).toBeTruthy()
  return { Authorization: `Bearer ${(await response.json()).access_token}` }
}

let before: { tolerance: string; lifecycle: string } | null = null

test.beforeAll(async ({ request }) => {
  const organisation = await (await request.get('/api/v1/organisation', { headers: await bearer(request, 'admin@demo.test') })).json()
  before = { tolerance: organisation.kpi_tolerance_percent, lifecycle: organisation.default_lifecycle_id }
})

test.afterAll(async ({ request }) => {
  if (!before) return
  const headers = await bearer(request, 'admin@demo.test')
  const now = await request.get('/api/v1/organisation', { headers })
  if ((await now.json()).kpi_tolerance_percent !== before.tolerance) {
    await request.patch('/api/v1/organisation', {
      headers: { ...headers, 'If-Match': now.headers().etag ?? '*' }, data: { kpi_tolerance_percent: before.tolerance },
    })
  }
  await request.post(`/api/v1/lifecycles/${before.lifecycle}/make-default`, { headers })
})

test('the administrator changes the settings, a directorate, a person and an API client', async ({ page, request }) => {
  await signIn(page, 'admin@demo.test')
  await page.getByRole('link', { name: 'Administration' }).click()
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Organisation' }).click()
  await expect(page.getByRole('heading', { name: 'Organisation settings' })).toBeVisible()
  const tolerance = page.getByLabel('KPI amber tolerance (percent)')
  await expect(tolerance).toHaveValue(before!.tolerance)
  // First a bad value: the API's message at the field.
  await tolerance.fill('150')
  await page.getByRole('button', { name: 'Save the settings' }).click()
  await expect(page.locator('#field-kpi_tolerance_percent-error')).toContainText('Must be between 0 and 100')
  await expect(page.getByRole('link', { name: /Must be between 0 and 100/ })).toBeVisible()
  await checkPage(page, 'admin-organisation-error', false)
  await tolerance.fill('7.5')
  await page.getByRole('button', { name: 'Save the settings' }).click()
  await expect(page.getByText('The settings are saved.')).toBeVisible()
  await expect(page.getByLabel('KPI amber tolerance (percent)')).toHaveValue('7.5')
  await checkPage(page, 'admin-organisation')
  await page.getByLabel('KPI amber tolerance (percent)').fill(before!.tolerance)
  await page.getByRole('button', { name: 'Save the settings' }).click()
  await expect(page.getByLabel('KPI amber tolerance (percent)')).toHaveValue(before!.tolerance)

  // A directorate of its own, renamed; one the records name is refused, with the API's reason.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Directorates' }).click()
  await page.getByLabel('Name').fill(`Upkeep ${run}`)
  await page.getByRole('button', { name: 'Add the directorate' }).click()
  await page.getByRole('link', { name: `Change Upkeep ${run}` }).click()
  await expect(page.getByRole('heading', { name: `Change Upkeep ${run}` })).toBeVisible()
  await page.getByLabel('Name').fill(`Renamed ${run}`)
  await page.getByRole('button', { name: 'Save the changes' }).click()
  const directorates = page.getByTestId('directorates')
  await expect(directorates).toContainText(`Renamed ${run}`)
  await expect(directorates).not.toContainText(`Upkeep ${run}`)
  await checkPage(page, 'admin-directorates')
  await page.getByRole('link', { name: 'Delete Digital, HR and Customer Services' }).click()
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('alert')).toContainText("'Digital, HR and Customer Services' cannot be deleted while records name it:")
  await checkPage(page, 'admin-directorate-delete-refused', false)
  await page.getByRole('link', { name: 'No, go back' }).click()
  await page.getByRole('link', { name: `Delete Renamed ${run}` }).click()
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(directorates).not.toContainText(`Renamed ${run}`)

  // A person of its own: changed, then deleted. Someone named on records is offered no *Delete*,
  // and the API says why if asked anyway.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click()
  const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite' }) })
  await invite.getByLabel('Email address').fill(`upkeep-${run}@demo.test`)
  await invite.getByLabel('Name').fill('Uma Upkeep')
  await invite.getByRole('button', { name: 'Invite' }).click()
  await expect(page.getByTestId('invitation-url')).toBeVisible()
  await page.goto(`/admin/users?q=upkeep-${run}`)
  await page.getByRole('link', { name: 'Change Uma Upkeep' }).click()
  await expect(page.getByRole('heading', { name: 'Change Uma Upkeep' })).toBeVisible()
  await checkPage(page, 'admin-user-edit')
  await page.getByLabel('Name').fill('Uma Kept')
  await page.getByLabel('Email address').fill(`kept-${run}@demo.test`)
  await page.getByRole('button', { name: 'Save the changes' }).click()
  const users = page.getByRole('table', { name: 'Users' })
  await expect(users).toContainText(`kept-${run}@demo.test`)
  await expect(users).toContainText('Uma Kept')
  await users.getByRole('link', { name: 'Delete Uma Kept' }).click()
  await expect(page.getByRole('heading', { name: 'Delete Uma Kept?' })).toBeVisible()
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible()
  await expect(users).not.toContainText('Uma Kept')
  await page.goto('/admin/users?q=pm@demo.test')
  const named = users.locator('tbody tr').filter({ hasText: 'pm@demo.test' })
  await expect(named.getByRole('link', { name: /^Change/ })).toBeVisible()
  await expect(named.getByRole('link', { name: /^Delete/ })).toHaveCount(0)
  const pm = (await (await request.get('/api/v1/users', { headers: await bearer(request, 'admin@demo.test'), params: { q: 'pm@demo.test' } })).json())
    .items.find((u: { email: string }) => u.email === 'pm@demo.test')
  await page.goto(`/admin/users/${pm.id}/delete`)
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('alert')).toContainText('pm@demo.test is named on records of the organisation: deactivate them instead.')

  // An API client of its own: its details changed, a second secret added while the first still
  // works, then the first retired.
  await page.goto('/admin/api-clients')
  await page.getByLabel('Name').fill(`Upkeep feed ${run}`)
  await page.getByLabel(/portfolio:read/).check()
  await page.getByRole('button', { name: 'Register and show the secret' }).click()
  const client = await page.getByTestId('client-id').innerText()
  const first = await page.getByTestId('client-secret').innerText()
  await page.getByRole('link', { name: `Upkeep feed ${run}`, exact: true }).click()
  await expect(page.getByRole('heading', { name: `Upkeep feed ${run}`, level: 1 })).toBeVisible()
  await page.getByLabel('Name').fill(`Upkeep reporting ${run}`)
  await page.getByLabel(/kpis:read/).check()
  await page.getByRole('button', { name: 'Save the details' }).click()
  await expect(page.getByText('The details are saved.')).toBeVisible()
  await expect(page.getByRole('heading', { name: `Upkeep reporting ${run}`, level: 1 })).toBeVisible()
  await expect(page.getByRole('definition').filter({ hasText: 'kpis:read' })).toBeVisible()
  await page.getByRole('button', { name: 'Add a second secret' }).click()
  await expect(page.getByTestId('secret-shown-once')).toContainText('The first keeps working until you retire it.')
  await expect(page.getByRole('button', { name: 'Copy the secret' })).toBeVisible()
  const second = await page.getByTestId('client-secret').innerText()
  expect(second).not.toEqual(first)
  const secrets = page.getByTestId('client-secrets')
  await expect(secrets.locator('tbody tr').filter({ hasText: 'Active' })).toHaveCount(2)
  await expect(page.getByRole('button', { name: 'Add a second secret' })).toHaveCount(0)
  await checkPage(page, 'admin-api-client')
  const token = (secret: string) =>
    request.post('/api/v1/auth/token', { form: { grant_type: 'client_credentials', client_id: client, client_secret: secret } })
  expect((await token(first)).status()).toBe(200)
  expect((await token(second)).status()).toBe(200)
  await secrets.locator('tbody tr').first().getByRole('button', { name: /^Retire/ }).click()
  await secrets.locator('tbody tr').first().getByRole('button', { name: /^Yes, retire it/ }).click()
  await expect(page.getByText(/is retired: it and its tokens no longer work\./)).toBeVisible()
  await expect(page.getByTestId('client-secret')).toHaveCount(0)
  await expect(secrets.locator('tbody tr').first()).toContainText('Retired')
  await expect(secrets.getByRole('button', { name: /^Retire/ })).toHaveCount(0)
  await checkPage(page, 'admin-api-client-retired', false)
  expect((await token(first)).status()).toBe(401)
  expect((await token(second)).status()).toBe(200)
})

test('the administrator defines a lifecycle and makes it the default, then the demo one again', async ({ page }) => {
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/users')
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Lifecycles' }).click()
  const lifecycles = page.getByTestId('lifecycles')
  const demoDefault = (await lifecycles.locator('tbody tr').filter({ has: page.getByText('Default', { exact: true }) }).getByRole('rowheader').innerText()).trim()
  await checkPage(page, 'admin-lifecycles')

  await page.getByRole('link', { name: 'Define a lifecycle' }).click()
  const name = `Small change ${run}`
  await page.getByLabel('Name', { exact: true }).fill(name)
  const stage = (n: number) => page.getByRole('group', { name: `Stage ${n}` })
  await stage(1).getByLabel('Stage name').fill('Idea')
  await stage(2).getByLabel('Stage name').fill('Build')
  await page.getByRole('button', { name: 'Add another stage' }).click()
  await stage(3).getByLabel('Stage name').fill('Done')
  const gate = (n: number) => page.getByRole('group', { name: new RegExp(`^Gate ${n}:`) })
  await expect(gate(2)).toHaveAccessibleName('Gate 2: from Build to Done')
  // First without criteria and without the role that decides: the API's words at the fields.
  await gate(1).getByLabel('Gate name').fill('Go')
  await gate(2).getByLabel('Gate name').fill('Finish')
  await gate(2).getByLabel('Criteria').fill('It is delivered.')
  await gate(2).getByLabel('Holders of a role').check()
  await page.getByRole('button', { name: 'Define the lifecycle' }).click()
  await expect(page.locator('#field-gates-0-criteria-error')).toContainText('Enter at least one criterion for gate 1')
  await expect(page.locator('#field-gates-1-role-error')).toContainText('Choose the role that decides for gate 2')
  await checkPage(page, 'admin-lifecycle-new-error')
  await gate(1).getByLabel('Criteria').fill('It is worth doing.\nIt is affordable.')
  await gate(1).getByLabel('Business case sections (optional)').fill('Strategic case')
  await gate(2).getByLabel('The role that decides').selectOption({ label: 'Sponsor' })
  await gate(2).getByLabel('All of them approve').check()
  await gate(2).getByLabel('Elected members').check()
  await page.getByRole('button', { name: 'Define the lifecycle' }).click()

  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(page.getByTestId('lifecycle-stages')).toHaveText(/Idea\s*Build\s*Done/)
  await expect(page.getByRole('heading', { name: 'Go: from Idea to Build' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Finish: from Build to Done' })).toBeVisible()
  await expect(page.getByText('It is affordable.')).toBeVisible()
  await expect(page.getByText(/Holders of the role Sponsor; Elected members$/)).toBeVisible()
  await page.getByRole('button', { name: 'Make it the default' }).click()
  await expect(page.getByText(`${name} is now the default: new projects follow it.`)).toBeVisible()
  await expect(page.getByText('Follow this lifecycle (the default)')).toBeVisible()
  await checkPage(page, 'admin-lifecycle')

  // The demo's lifecycle is the default again, so other journeys count by its stages.
  await page.getByRole('link', { name: 'Lifecycles', exact: true }).first().click()
  await lifecycles.locator('tbody tr').filter({ hasText: demoDefault }).getByRole('button', { name: /^Make default/ }).click()
  await expect(page.getByText(`${demoDefault} is now the default`)).toBeVisible()
  await expect(lifecycles.locator('tbody tr').filter({ hasText: demoDefault }).getByText('Default', { exact: true })).toBeVisible()
  await expect(lifecycles.locator('tbody tr').filter({ hasText: name }).getByRole('button', { name: /^Make default/ })).toBeVisible()
})

test('a PMO officer is offered none of these pages', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await expect(page.getByRole('link', { name: 'Administration' })).toHaveCount(0)
  for (const path of ['/admin/organisation', '/admin/lifecycles', '/admin/lifecycles/new', `/admin/users/${crypto.randomUUID()}/edit`]) {
    await page.goto(path)
    await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
    await expect(page.locator('main')).toContainText('These pages are for administrators')
    await expect(page.locator('main form, main table')).toHaveCount(0)
  }
})
