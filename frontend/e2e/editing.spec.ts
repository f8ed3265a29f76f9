import { type Page, expect, test } from '@playwright/test'
import { checkPage, screenshots, signIn, fillDate } from './helpers'

// Editing journeys: RAID items, administration, KPI definitions and targets, cost lines and benefits.
// pm@demo.test manages "Replace the Council website" in the demo.
const PM_PROJECT = 'Replace the Council website'

async function openProject(page: Page, name: string, tab: string): Promise<void> {
  await page.goto(`/projects?q=${encodeURIComponent(name)}`)
  await page.getByRole('link', { name, exact: true }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: tab, exact: true }).click()
  await expect(page.getByRole('heading', { name: tab, level: 2 })).toBeVisible()
}

test('a project manager adds an issue and changes a risk on their project', async ({ page }) => {
  await signIn(page, 'pm@demo.test')
  await openProject(page, PM_PROJECT, 'Issues')
  await page.getByRole('link', { name: 'Add an issue' }).click()
  await expect(page.getByRole('heading', { name: 'Add an issue' })).toBeVisible()
  await checkPage(page, 'issue-form')

  // The server's own words, next to the field: a title is required.
  await page.getByRole('button', { name: 'Add the issue' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(page.locator('#field-title-error')).toBeVisible()
  await checkPage(page, 'issue-form-errors', false)

  await page.getByLabel('Title').fill('Content owners not yet named for every service')
  await page.getByLabel('Priority').selectOption('high')
  await fillDate(page, 'Due date (optional)', '2026-03-31')
  await page.getByRole('button', { name: 'Add the issue' }).click()
  await expect(page).toHaveURL(/tab=issues/)
  const issues = page.getByRole('table', { name: 'Issue log' })
  await expect(issues).toContainText('Content owners not yet named for every service')
  await checkPage(page, 'project-issues-editable', false)

  // Change the issue: its status and resolution.
  const row = issues.locator('tbody tr').filter({ hasText: 'Content owners not yet named' })
  await row.getByRole('link', { name: /^Change/ }).click()
  await expect(page.getByRole('heading', { name: /^Change issue I-\d{4}/ })).toBeVisible()
  await checkPage(page, 'issue-edit', false)
  await page.getByLabel('Status').selectOption('in_progress')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page).toHaveURL(/tab=issues/)
  await expect(issues.locator('tbody tr').filter({ hasText: 'Content owners not yet named' })).toContainText('In progress')

  // Change a risk: the project has none in the demo, so add one first, then change its title.
  await page.getByRole('link', { name: 'Add a risk' }).click()
  await page.getByLabel('Title').fill('Search results worse after the move')
  await page.getByLabel('Category').fill('technical')
  await page.getByLabel('Likelihood').first().selectOption('2')
  await page.getByLabel('Impact').first().selectOption('2')
  await page.getByRole('button', { name: 'Add the risk' }).click()
  await expect(page).toHaveURL(/tab=risks/)
  const risks = page.getByRole('table', { name: 'Risk log' })
  await risks.locator('tbody tr').first().getByRole('link', { name: /^Change/ }).click()
  await expect(page.getByRole('heading', { name: /^Change risk R-\d{4}/ })).toBeVisible()
  await checkPage(page, 'risk-edit', false)
  const title = page.getByLabel('Title')
  const before = await title.inputValue()
  await title.fill(`${before} (reviewed)`)
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page).toHaveURL(/tab=risks/)
  await expect(risks).toContainText(`${before} (reviewed)`)
})

test('a change made elsewhere in between is refused with an offer to reload', async ({ page, request }) => {
  await signIn(page, 'pm@demo.test')
  await openProject(page, PM_PROJECT, 'Risks')
  const projectId = new URL(page.url()).pathname.split('/')[2] as string
  const token = async (email: string) => {
    const response = await request.post('/api/v1/auth/token', {
      form: { grant_type: 'password', username: email, password: 'demo-password' },
    })
    expect(response.ok()).toBeTruthy()
    return { Authorization: `Bearer ${(await response.json()).access_token}` }
  }
  const pm = await token('pm@demo.test')
  const created = await request.post('/api/v1/risks', {
    headers: pm,
    data: { project_id: projectId, title: 'Hosting contract ends before go-live', category: 'contract', cause: '', event: '',
      effect: '', nature: 'threat', inherent_likelihood: 2, inherent_impact: 3, proximity: '' },
  })
  expect(created.status()).toBe(201)
  await page.reload()
  const risks = page.getByRole('table', { name: 'Risk log' })
  await risks.locator('tbody tr').filter({ hasText: 'Hosting contract ends' }).getByRole('link', { name: /^Change/ }).click()
  await expect(page.getByRole('heading', { name: /^Change risk/ })).toBeVisible()
  // Someone changes the risk meanwhile, through the API with their own token.
  const riskId = new URL(page.url()).pathname.split('/')[2] as string
  const headers = await token('pmo@demo.test')
  const current = await request.get(`/api/v1/risks/${riskId}`, { headers })
  const changed = await request.patch(`/api/v1/risks/${riskId}`, {
    headers: { ...headers, 'If-Match': current.headers()['etag'] ?? '' },
    data: { proximity: 'Within three months' },
  })
  expect(changed.status()).toBe(200)
  await page.getByLabel('Category').fill('technical')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByText('Someone else changed this record since you opened it.')).toBeVisible()
  await page.getByRole('button', { name: 'Reload the record' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toHaveCount(0)
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page).toHaveURL(/tab=risks/)
})

test('the administrator deactivates and reactivates a user, removes a role and revokes an API client', async ({ page }) => {
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/users')
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible()
  const users = page.getByRole('table', { name: 'Users' })
  const viewer = users.locator('tbody tr').filter({ hasText: 'viewer@demo.test' })
  // Deactivating asks once more, in the row.
  await viewer.getByRole('button', { name: /^Deactivate/ }).click()
  await viewer.getByRole('button', { name: /^Yes, deactivate/ }).click()
  await expect(page.getByText('can no longer sign in; their sessions have ended.')).toBeVisible()
  await expect(viewer).toContainText('Deactivated')
  await checkPage(page, 'admin-users-actions', false)
  await viewer.getByRole('button', { name: /^Reactivate/ }).click()
  await expect(page.getByText('can sign in again.')).toBeVisible()
  await expect(viewer).toContainText('Active')

  // Removing a role assignment: give one, then take it away.
  await page.goto('/admin/roles')
  await page.getByLabel('Person').selectOption({ label: 'Vic Viewer (Internal Audit) (viewer@demo.test)' })
  await page.getByLabel('Role', { exact: true }).selectOption('pmo')
  await page.getByRole('button', { name: 'Give the role' }).click()
  await expect(page.getByText('now holds the role')).toBeVisible()
  const row = page.getByRole('table', { name: 'Role assignments' }).locator('tbody tr').filter({ hasText: 'Vic Viewer' }).filter({ hasText: 'Pmo' })
  await row.getByRole('button', { name: /^Remove/ }).click()
  await row.getByRole('button', { name: /^Yes, remove/ }).click()
  await expect(page.getByText(/no longer holds the role/)).toBeVisible()
  await checkPage(page, 'admin-roles-actions', false)

  // An API client: registered, its secret replaced (shown once), then revoked.
  await page.goto('/admin/api-clients')
  await page.getByLabel('Name').fill('Council tax reporting feed')
  await page.getByLabel(/portfolio:read/).check()
  await page.getByRole('button', { name: 'Register and show the secret' }).click()
  const first = await page.getByTestId('client-secret').innerText()
  const clients = page.getByRole('table', { name: 'API clients' })
  const client = clients.locator('tbody tr').filter({ hasText: 'Council tax reporting feed' })
  await client.getByRole('button', { name: /^New secret/ }).click()
  await client.getByRole('button', { name: /^Yes, replace the secret/ }).click()
  await expect(page.getByText('has a new secret; the old one no longer works.')).toBeVisible()
  await expect(page.getByTestId('client-secret')).not.toHaveText(first)
  await checkPage(page, 'admin-api-client-secret', false)
  await client.getByRole('button', { name: /^Revoke/ }).click()
  await client.getByRole('button', { name: /^Yes, revoke/ }).click()
  await expect(page.getByText('is revoked: its tokens no longer work.')).toBeVisible()
  await expect(client).toContainText('Revoked')
  await expect(page.getByTestId('client-secret')).toHaveCount(0)
  await checkPage(page, 'admin-api-clients-actions', false)
})

test('the PMO adds, changes and deletes a KPI target and changes the definition', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/kpis?q=CX-03')
  await page.getByRole('link', { name: 'Customer contacts resolved at the first point of contact' }).click()
  await page.getByRole('link', { name: 'Change the targets' }).click()
  await expect(page.getByRole('heading', { name: 'Targets', level: 1 })).toBeVisible()
  await checkPage(page, 'kpi-targets')

  // Too many decimal places for the KPI (1): the server's words, by the field.
  await page.getByLabel('Period').fill('2030-31-Q1')
  await page.getByLabel('Target', { exact: true }).fill('82.55')
  await page.getByRole('button', { name: 'Add the target' }).click()
  await expect(page.locator('#field-target-error')).toBeVisible()
  await checkPage(page, 'kpi-targets-errors', false)
  await page.getByLabel('Target', { exact: true }).fill('82.5')
  await page.getByRole('button', { name: 'Add the target' }).click()
  await expect(page.getByText('The target is added.')).toBeVisible()
  const targets = page.getByTestId('kpi-targets')
  await expect(targets.locator('tbody tr').filter({ hasText: '2030/31 Q1' })).toContainText('82.5%')

  await targets.getByRole('button', { name: 'Change the target for 2030/31 Q1' }).click()
  await expect(page.getByRole('heading', { name: 'Change the target for 2030/31 Q1' })).toBeVisible()
  await expect(page.getByLabel('Target', { exact: true })).toHaveValue('82.5')
  await page.getByLabel('Target', { exact: true }).fill('83.0')
  await page.getByRole('button', { name: 'Save the target' }).click()
  await expect(targets.locator('tbody tr').filter({ hasText: '2030/31 Q1' })).toContainText('83.0%')
  await targets.getByRole('button', { name: 'Delete the target for 2030/31 Q1' }).click()
  await expect(page.getByText('The target for 2030/31 Q1 is deleted.')).toBeVisible()
  await expect(targets).not.toContainText('2030/31 Q1')

  // The definition: its data source changed.
  await page.getByRole('link', { name: /CX-03/ }).click()
  await page.getByRole('link', { name: 'Change the definition' }).click()
  await expect(page.getByRole('heading', { name: 'Change KPI CX-03' })).toBeVisible()
  await checkPage(page, 'kpi-edit', false)
  await page.getByLabel('Data source (optional)').fill('Customer relationship management system (monthly extract)')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByRole('heading', { name: 'Customer contacts resolved at the first point of contact' })).toBeVisible()
  // The KPI's summary, not its change history below (which shows the new value too).
  await expect(page.getByRole('definition').filter({ hasText: 'monthly extract' })).toBeVisible()
})

test('finance adds a cost line and a benefit with its profile by year', async ({ page }) => {
  await signIn(page, 'finance@demo.test')
  await openProject(page, PM_PROJECT, 'Cost lines')
  await page.getByRole('link', { name: 'Add a cost line' }).click()
  await expect(page.getByRole('heading', { name: 'Add a cost line' })).toBeVisible()
  await checkPage(page, 'cost-line-form')
  // A JSON number is never sent: a bad amount gets the server's own words by the field.
  await page.getByLabel('Description').fill('Content migration contractor')
  await page.getByLabel('Amount').fill('12,500.005')
  await page.getByLabel('Financial year').fill('2026/27')
  await page.getByRole('button', { name: 'Add the cost line' }).click()
  await expect(page.locator('#field-amount-error')).toBeVisible()
  await checkPage(page, 'cost-line-form-errors', false)
  await page.getByLabel('Amount').fill('£12,500.00')
  await page.getByRole('button', { name: 'Add the cost line' }).click()
  await expect(page).toHaveURL(/tab=costs/)
  const line = page.getByTestId('cost-lines').locator('tbody tr').filter({ hasText: 'Content migration contractor' })
  await expect(line).toContainText('£12,500.00')
  await checkPage(page, 'project-costs-editable', false)

  // A non-cashable benefit (so the cashable totals other journeys check stay as they are), then its
  // profile by financial year.
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Benefits', exact: true }).click()
  await page.getByRole('link', { name: 'Add a benefit' }).click()
  await page.getByLabel('Title').fill('Fewer telephone calls about bin collections')
  await page.getByLabel('Class').selectOption('non_cashable')
  await page.getByRole('button', { name: 'Add the benefit' }).click()
  await expect(page.getByRole('heading', { name: 'Profile by financial year' })).toBeVisible()
  await page.getByLabel('Financial year').first().fill('2026/27')
  await page.getByLabel('Planned').first().fill('8000')
  await page.getByRole('button', { name: 'Add another year' }).click()
  await page.getByLabel('Financial year').nth(1).fill('2027/28')
  await page.getByLabel('Planned').nth(1).fill('16,000.00')
  await checkPage(page, 'benefit-profile-form', false)
  await page.getByRole('button', { name: 'Save the profile' }).click()
  await expect(page).toHaveURL(/tab=benefits/)
  const profile = page.getByRole('table', { name: /profile by financial year/ }).last()
  await expect(profile).toContainText('£16,000.00')
  await expect(profile).toContainText('£24,000.00')
  await checkPage(page, 'project-benefits-editable', false)
})
