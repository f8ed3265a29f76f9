import { expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

// The demo leaves CX-03's last quarter ended without a value, for pm@demo.test to enter
// (backend/pmo/kpis/demo.py). The browser's clock is today's, as the server's is.
const CX03 = 'Customer contacts resolved at the first point of contact'
const PROJECT = 'Integration of housing into customer services functions'

function lastEndedQuarter(today = new Date()): { code: string; label: string } {
  const months = today.getFullYear() * 12 + today.getMonth() - 3
  const index = Math.floor(months / 3) - 1
  const year = Math.floor(index / 4)
  const code = `${year}-${String((year + 1) % 100).padStart(2, '0')}`
  return { code: `${code}-Q${(index % 4) + 1}`, label: `${code.replace('-', '/')} Q${(index % 4) + 1}` }
}

test('a project manager submits a KPI value and the PMO verifies and publishes it', async ({ browser }) => {
  test.setTimeout(180_000) // two people, eleven pages, each checked with axe
  const quarter = lastEndedQuarter()
  const pmContext = await browser.newContext()
  const pm = await pmContext.newPage()
  await signIn(pm, 'pm@demo.test')

  // The KPI list: filters done by the server, kept in the address bar.
  await pm.getByRole('link', { name: 'KPIs', exact: true }).click()
  await expect(pm.getByRole('heading', { name: 'KPIs', level: 1 })).toBeVisible()
  await pm.getByLabel('Code or name').fill('first point of contact')
  await pm.getByRole('button', { name: 'Apply filters' }).click()
  await expect(pm).toHaveURL(/[?&]q=first\+point\+of\+contact/)
  await expect(pm.getByRole('status').filter({ hasText: /^1 KPI$/ })).toBeVisible()
  await checkPage(pm, 'kpi-list')
  await pm.getByRole('link', { name: CX03 }).click()
  await expect(pm.getByRole('heading', { name: CX03, level: 1 })).toBeVisible()
  await expect(pm.getByRole('img', { name: /CX-03: published values against target/ })).toBeVisible()

  // The period picker offers the quarter left open; a percentage over 100 is the server's 422.
  await expect(pm.getByLabel('Period', { exact: true })).toHaveValue(quarter.code)
  await pm.getByLabel('Value', { exact: true }).fill('120')
  await pm.getByRole('button', { name: 'Save and submit for verification' }).click()
  const summary = pm.locator('.govuk-error-summary').first()
  await expect(summary).toContainText(/Value: .*percentage/i)
  await expect(pm.locator('#field-actual-error')).toBeVisible()
  await checkPage(pm, 'kpi-value-errors', false)

  // A period that already has a value is the server's 409, shown by the period code field.
  await pm.getByLabel('Period', { exact: true }).selectOption('other')
  await pm.getByLabel('Period code').fill('2023-24-Q2')
  await pm.getByLabel('Value', { exact: true }).fill('80')
  await pm.getByRole('button', { name: 'Save as draft' }).click()
  await expect(summary).toContainText(/already/i)

  await pm.getByLabel('Period', { exact: true }).selectOption(quarter.code)
  await pm.getByLabel('Value', { exact: true }).fill('82')
  await pm.getByLabel('Commentary').fill('Housing calls now answered by the customer service centre.')
  await pm.getByRole('button', { name: 'Save as draft' }).click()
  await expect(pm.getByRole('alert').filter({ hasText: `${quarter.label}: 82.0% saved as a draft` })).toBeVisible()
  const row = pm.getByTestId('kpi-values').locator('tbody tr').filter({ has: pm.getByRole('rowheader', { name: quarter.label }) })
  await expect(row).toContainText('Draft')

  // Correcting the draft: someone else's change in between is the server's 412, with a reload.
  await row.getByRole('button', { name: `Change ${quarter.label}` }).click()
  await expect(pm.getByRole('heading', { name: `Change the value for ${quarter.label}` })).toBeVisible()
  await expect(pm.getByLabel('Value', { exact: true })).toHaveValue('82.0')
  await expect(pm.getByRole('button', { name: 'Save the change' })).toBeEnabled()
  const changedElsewhere = await pm.evaluate(async (period) => {
    const session = await fetch('/api/v1/auth/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'pm@demo.test', password: 'demo-password' }),
    })
    const headers = { Authorization: `Bearer ${(await session.json()).access_token}` }
    const kpis = await (await fetch('/api/v1/kpis?code=CX-03', { headers })).json()
    const values = await (await fetch(`/api/v1/kpis/${kpis.items[0].id}/values?period_from=${period}&period_to=${period}`, { headers })).json()
    const url = `/api/v1/kpi-values/${values.items[0].id}`
    const tag = (await fetch(url, { headers })).headers.get('ETag') as string
    const patched = await fetch(url, {
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/json', 'If-Match': tag },
      body: JSON.stringify({ actual: '81.9' }),
    })
    return patched.status
  }, quarter.code)
  expect(changedElsewhere).toBe(200)
  await pm.getByLabel('Value', { exact: true }).fill('82.4')
  await pm.getByRole('button', { name: 'Save the change' }).click()
  await expect(pm.locator('.govuk-error-summary')).toContainText('Someone else changed this record')
  await checkPage(pm, 'kpi-value-stale', false)
  await pm.getByRole('button', { name: 'Reload the record' }).click()
  await expect(pm.getByLabel('Value', { exact: true })).toHaveValue('81.9')
  await pm.getByLabel('Value', { exact: true }).fill('82.4')
  await pm.getByRole('button', { name: 'Save the change' }).click()
  await expect(pm.getByRole('alert').filter({ hasText: `${quarter.label}: changed to 82.4%` })).toBeVisible()
  await expect(row).toContainText('82.4%')
  await row.getByRole('button', { name: `Submit ${quarter.label}` }).click()
  await expect(pm.getByRole('alert').filter({ hasText: 'submitted for verification' })).toBeVisible()
  await expect(row).toContainText('Submitted')
  await checkPage(pm, 'kpi-submitted', false)
  // Readers do not see it yet: the latest published value is still an earlier quarter's.
  await expect(pm.getByTestId('kpi-latest')).not.toContainText(quarter.label)
  await pmContext.close()

  const pmoContext = await browser.newContext()
  const pmo = await pmoContext.newPage()
  await signIn(pmo, 'pmo@demo.test')
  await pmo.getByRole('link', { name: 'KPIs', exact: true }).click()
  await pmo.getByRole('link', { name: 'Values to verify and publish' }).click()
  await expect(pmo).toHaveURL(/\/kpi-values\?status=submitted/)
  const queue = pmo.getByTestId('kpi-queue')
  await expect(queue).toContainText('CX-03')
  await checkPage(pmo, 'kpi-queue')

  // Returning a value needs a reason (the server's 422), then goes back to its submitter.
  const other = queue.locator('tbody tr').filter({ hasText: 'ICT-01' })
  await other.getByRole('button', { name: /^Return to draft/ }).click()
  await pmo.getByRole('button', { name: 'Return to draft', exact: true }).click()
  await expect(pmo.locator('.govuk-error-summary')).toContainText(/reason/i)
  await checkPage(pmo, 'kpi-return-errors', false)
  await pmo.getByLabel('Reason').fill('The incident log shows five major incidents, not the figure given.')
  await pmo.getByRole('button', { name: 'Return to draft', exact: true }).click()
  await expect(pmo.getByRole('alert').filter({ hasText: 'returned to draft' })).toBeVisible()
  await expect(queue).not.toContainText('ICT-01')

  await pmo.getByRole('button', { name: `Verify CX-03 ${quarter.label}` }).click()
  await expect(pmo.getByRole('alert').filter({ hasText: `CX-03 ${quarter.label}: verified` })).toBeVisible()
  await pmo.getByRole('link', { name: 'Verified: to publish' }).click()
  await expect(pmo).toHaveURL(/status=verified/)
  await expect(queue).toContainText('CX-03')
  await checkPage(pmo, 'kpi-queue-verified', false)
  await pmo.getByRole('button', { name: `Publish CX-03 ${quarter.label}` }).click()
  await expect(pmo.getByRole('alert').filter({ hasText: `CX-03 ${quarter.label}: published` })).toBeVisible()

  // Published: the KPI page and the programme's scorecard show it.
  await pmo.getByRole('link', { name: 'Go to CX-03' }).click()
  await expect(pmo.getByRole('heading', { name: CX03, level: 1 })).toBeVisible()
  await expect(pmo.getByTestId('kpi-latest')).toContainText(`82.4% in ${quarter.label}`)
  await expect(pmo.getByTestId('kpi-latest')).toContainText('Green')
  await checkPage(pmo, 'kpi')

  await pmo.locator('.govuk-caption-l').getByRole('link', { name: PROJECT }).click()
  await pmo.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'KPIs' }).click()
  await expect(pmo.getByTestId('project-kpis')).toContainText('CX-03')
  await checkPage(pmo, 'project-kpis', false)
  await pmo.locator('.govuk-caption-l').getByRole('link').click()
  const scorecardRow = pmo.getByTestId('kpi-scorecard').locator('tbody tr').filter({ hasText: 'CX-03' })
  await expect(scorecardRow).toContainText(quarter.label)
  await expect(scorecardRow).toContainText('82.4%')
  await expect(scorecardRow).toContainText('Green')
  await expect(scorecardRow).toContainText('Up to date')
  await checkPage(pmo, 'kpi-scorecard')
  // The PMO may include the values not yet published (ICT-01 was returned to draft above).
  await pmo.getByRole('link', { name: 'Include values not yet published' }).click()
  await expect(pmo).toHaveURL(/unpublished=true/)
  await expect(pmo.getByTestId('kpi-scorecard').locator('tbody tr').filter({ hasText: 'CX-01' })).toContainText('submitted, not published')
  await checkPage(pmo, 'kpi-scorecard-unpublished', false)

  await pmo.getByRole('link', { name: 'Portfolio', exact: true }).click()
  await expect(pmo.getByTestId('kpi-rag-counts')).toBeVisible()
  await expect(pmo.getByTestId('kpi-missing-data')).not.toContainText('CX-03')
  await checkPage(pmo, 'portfolio-kpis', false)
  await pmoContext.close()
})

test('a KPI import with a bad row shows the row error and imports nothing', async ({ page }) => {
  test.setTimeout(120_000)
  await signIn(page, 'pmo@demo.test')
  await page.getByRole('link', { name: 'KPIs', exact: true }).click()
  await page.getByRole('link', { name: 'Import KPI history' }).click()
  await expect(page.getByRole('heading', { name: 'Import KPI history', level: 1 })).toBeVisible()
  await checkPage(page, 'kpi-import', false)

  // Checking with no file says so by the field.
  await page.getByRole('button', { name: 'Check the file' }).click()
  await expect(page.locator('#field-file-error')).toContainText('Choose a CSV or XLSX file')

  const header = 'kpi_code,period_code,actual,commentary\n'
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'history.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${header}CX-02,2021-22-Q1,40100,From the old system\nCX-01,2021-22-Q1,172.5,Typed wrongly\n`),
  })
  await page.getByRole('button', { name: 'Check the file' }).click()
  await expect(page.locator('.govuk-error-summary')).toContainText('nothing was imported')
  const problems = page.getByTestId('import-errors').locator('tbody tr')
  await expect(problems).toHaveCount(1)
  await expect(problems).toContainText('Values')
  await expect(problems.locator('td').nth(1)).toHaveText('3')
  await expect(problems.locator('td').nth(2)).toHaveText('actual')
  await expect(problems.locator('td').nth(3)).toContainText('percentage must be between 0 and 100')
  await expect(page.getByRole('button', { name: /^Import / })).toHaveCount(0)
  await checkPage(page, 'kpi-import-errors')

  // Nothing was written: the good row of the file is not there either.
  const count = () =>
    page.evaluate(async () => {
      const session = await fetch('/api/v1/auth/session', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'pmo@demo.test', password: 'demo-password' }),
      })
      const { access_token: token } = await session.json()
      const headers = { Authorization: `Bearer ${token}` }
      const kpis = await (await fetch('/api/v1/kpis?code=CX-02', { headers })).json()
      const values = await fetch(`/api/v1/kpis/${kpis.items[0].id}/values?period_from=2021-22-Q1&period_to=2021-22-Q1`, { headers })
      return (await values.json()).total as number
    })
  expect(await count()).toBe(0)

  // Corrected, the file checks clean and imports.
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'history.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${header}CX-02,2021-22-Q1,40100,From the old system\nCX-01,2021-22-Q1,72.5,Corrected\n`),
  })
  await page.getByRole('button', { name: 'Check the file' }).click()
  await expect(page.getByTestId('import-checked')).toContainText('0 definitions, 0 targets and 2 values can be imported')
  await page.getByRole('button', { name: 'Import 0 definitions, 0 targets and 2 values' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Imported 0 definitions, 0 targets and 2 values.' })).toBeVisible()
  await checkPage(page, 'kpi-imported', false)
  expect(await count()).toBe(1)
})

test('a viewer reads KPIs but is offered no value entry, queue or import', async ({ page }) => {
  await signIn(page, 'viewer@demo.test')
  await page.goto('/kpis?q=CX-03')
  await page.getByRole('link', { name: CX03 }).click()
  await expect(page.getByRole('heading', { name: CX03, level: 1 })).toBeVisible()
  await expect(page.getByTestId('kpi-values')).toContainText('Published')
  await expect(page.getByRole('heading', { name: 'Enter a value' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: /^(Change|Submit)/ })).toHaveCount(0)
  await checkPage(page, 'kpi-viewer', false)
  const kpiId = page.url().split('/kpis/')[1] as string

  for (const [path, permission] of [['/kpi-values?status=submitted', 'kpi_values:verify'], ['/kpi-imports', 'kpis:manage']]) {
    await page.goto(path as string)
    await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
    await expect(page.getByText(permission as string)).toBeVisible()
  }

  // The API is the guard: entering a value with the viewer's own token is refused.
  const refused = await page.evaluate(async (kpi) => {
    const session = await fetch('/api/v1/auth/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@demo.test', password: 'demo-password' }),
    })
    const { access_token: token } = await session.json()
    const response = await fetch(`/api/v1/kpis/${kpi}/values`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ period_code: '2021-22-Q1', actual: '50' }),
    })
    return { status: response.status, body: await response.json() }
  }, kpiId)
  expect(refused.status).toBe(403)
  expect(refused.body.detail).toContain('kpi_values:submit')
})
