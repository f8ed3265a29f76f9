// Keeping the RAID logs: an assumption found invalid raises an issue, a dependency on a project
// of another programme with its owner and needed-by date, and a viewer offered no action. The
// buttons follow each record's `allowed_actions`. Every record changed here is this spec's own
// (a new assumption, a new dependency it closes again), so other specs' demo data is untouched.
import { type APIRequestContext, expect, test } from '@playwright/test'
import { checkPage, fillDate, signIn } from './helpers'

async function bearer(request: APIRequestContext, email: string): Promise<Record<string, string>> {
  const response = await request.post('/api/v1/auth/token', {
    form: { grant_type: 'password', username: email, password: 'demo-password' },
  })
  expect(response.ok()).toBeTruthy()
  return { Authorization: `Bearer ${(await response.json()).access_token}` }
}

interface Project { id: string; reference: string; name: string; programme_id: string }

/** Two demo projects in different programmes, and the PMO's headers. */
async function twoProgrammes(request: APIRequestContext) {
  const headers = await bearer(request, 'pmo@demo.test')
  const found = await request.get('/api/v1/projects', { headers, params: { limit: 200, sort: 'reference' } })
  const projects: Project[] = (await found.json()).items
  const first = projects[0] as Project
  const other = projects.find((p) => p.programme_id !== first.programme_id)
  expect(other, 'a project in another programme').toBeTruthy()
  return { headers, first, other: other as Project }
}

test('a PMO officer finds an assumption invalid and raises an issue from it', async ({ page, request }) => {
  const { headers, first } = await twoProgrammes(request)
  const created = await request.post('/api/v1/assumptions', {
    headers,
    data: { project_id: first.id, statement: 'The supplier keeps its 2024 prices for another year.', category: 'Commercial' },
  })
  expect(created.status(), await created.text()).toBe(201)
  const assumption = await created.json()
  expect(assumption.allowed_actions).toEqual(['edit', 'invalidate'])

  await signIn(page, 'pmo@demo.test')
  await page.goto(`/assumptions/${assumption.id}/edit`)
  const section = page.getByTestId('assumption-invalidation')
  await expect(section).toBeVisible()
  // The API's refusal is shown at the field: the new issue needs a name.
  await section.getByRole('button', { name: 'Mark it invalid and raise the issue' }).click()
  await expect(section.locator('#invalidate-field-issue-title-error')).toBeVisible()
  await section.locator('.govuk-error-summary').getByRole('link', { name: 'Enter the title' }).click()
  await expect(section.getByLabel('Name of the issue')).toBeFocused()
  await checkPage(page, 'raid-invalidate-error', false)
  await section.getByLabel('Name of the issue').fill('Supplier prices rise by 12% from April')
  await section.getByLabel('Priority').selectOption('high')
  await section.getByRole('button', { name: 'Mark it invalid and raise the issue' }).click()
  const done = page.getByTestId('raid-action-done')
  await expect(done).toContainText(`${assumption.reference} is invalid: it raised I-`)
  // Once it has raised an issue it cannot be invalidated again: the section is gone.
  await expect(page.getByTestId('assumption-invalidation')).toHaveCount(0)
  await expect(page.getByLabel('Status')).toHaveValue('invalid')
  await checkPage(page, 'raid-assumption-invalidated')
  await done.getByRole('link').click()
  await expect(page.getByLabel('Title')).toHaveValue('Supplier prices rise by 12% from April')
})

test('a PMO officer records a dependency on another programme\'s project, with an owner and a needed-by date', async ({ page, request }) => {
  const { headers, first, other } = await twoProgrammes(request)
  const title = `Shared booking platform live (${Date.now()})`
  await signIn(page, 'pmo@demo.test')
  await page.goto(`/projects/${first.id}/dependencies/new`)
  await page.getByLabel('Title').fill(title)
  await page.getByLabel('This project needs something from the other end').check()
  await page.getByLabel('Another project, in any programme').check()
  const otherProject = page.getByLabel('Other project', { exact: true })
  const option = otherProject.locator('option').filter({ hasText: `${other.reference} ${other.name}` })
  await otherProject.selectOption(await option.getAttribute('value') ?? '')
  await page.getByLabel('Owner (optional)').selectOption({ label: 'Morgan Project-Manager' })
  await fillDate(page, 'Needed by (optional)', '2027-03-31')
  await checkPage(page, 'raid-dependency-new')
  await page.getByRole('button', { name: 'Add the dependency' }).click()
  await expect(page).toHaveURL(/tab=dependencies/)
  await expect(page.getByRole('cell', { name: title })).toBeVisible()

  // Recorded as chosen, and listed on the other programme's project too.
  const listed = await request.get(`/api/v1/projects/${other.id}/dependencies`, { headers, params: { limit: 200 } })
  const dependency = (await listed.json()).items.find((d: { title: string }) => d.title === title)
  expect(dependency.counterpart_project_id).toBe(first.id)
  expect(dependency.direction_seen).toBe('inbound')
  expect(dependency.needed_by).toBe('2027-03-31')
  expect(dependency.owner_id).not.toBeNull()
  await page.goto(`/projects/${other.id}?tab=dependencies`)
  await expect(page.getByRole('cell', { name: title })).toBeVisible()

  // Tidy up: closed, it no longer counts as an open dependency between the two projects.
  const closed = await request.patch(`/api/v1/dependencies/${dependency.id}`, {
    headers: { ...headers, 'If-Match': '*' }, data: { status: 'closed' },
  })
  expect(closed.status(), await closed.text()).toBe(200)
})

test('a viewer reads the RAID logs offered no action; a project manager reads a portfolio assumption offered none', async ({ page, request }) => {
  const { headers, first } = await twoProgrammes(request)
  const issues = await request.get('/api/v1/issues', { headers, params: { limit: 1, status: 'open' } })
  const issue = (await issues.json()).items[0]
  const assumptions = await request.get('/api/v1/assumptions', { headers, params: { limit: 200, status: 'unvalidated' } })
  // Of the portfolio: only the PMO changes it, so a project manager's allowed_actions are empty.
  const assumption = (await assumptions.json()).items.find((a: { portfolio_id: string | null }) => a.portfolio_id)
  const main = page.locator('main')

  await signIn(page, 'viewer@demo.test')
  const logs = { risks: 'Risk log', issues: 'Issue log', assumptions: 'Assumptions', dependencies: 'Dependencies' }
  for (const [tab, caption] of Object.entries(logs)) {
    await page.goto(`/projects/${issue.project_id ?? first.id}?tab=${tab}`)
    await expect(page.getByRole('table', { name: caption, exact: true }).or(page.getByText(/^No .* recorded\.$/))).toBeVisible()
    await expect(page.getByRole('link', { name: /^Change (risk|issue|assumption|dependency) / })).toHaveCount(0)
    await expect(page.getByRole('link', { name: /^Add a/ })).toHaveCount(0)
  }
  // The edit pages need raid:edit: a viewer is told so, with nothing to press.
  await page.goto(`/issues/${issue.id}/edit`)
  await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
  await expect(main.getByRole('button')).toHaveCount(0)

  await page.context().clearCookies()
  await signIn(page, 'pm@demo.test')
  await page.goto(`/assumptions/${assumption.id}/edit`)
  await expect(page.getByTestId('read-only')).toBeVisible()
  await expect(page.getByTestId('assumption-invalidation')).toHaveCount(0)
  await expect(main.getByRole('button')).toHaveCount(0)
  await checkPage(page, 'raid-assumption-read-only')
})
