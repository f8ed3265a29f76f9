import { type APIRequestContext, type Page, expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

// Issue 14, the records' last links only the API could set: a KPI's owner and project, a
// benefit's owner and KPI, deleting a programme, and the RAID CSV import. Every record made
// here is the spec's own (names carry a run mark); the demo programme keeps its projects.
const RUN = Date.now().toString(36).slice(-5)
const PROGRAMME = 'Customer Experience'
const PROJECT = 'Replace the Council website'

async function token(request: APIRequestContext, email: string): Promise<Record<string, string>> {
  const answer = await request.post('/api/v1/auth/token', { form: { grant_type: 'password', username: email, password: 'demo-password' } })
  expect(answer.ok()).toBeTruthy()
  return { Authorization: `Bearer ${(await answer.json()).access_token}` }
}

/** Picks the option whose text contains `text` (labels carry references that differ by run). */
async function choose(page: Page, label: string, text: string): Promise<void> {
  const select = page.getByLabel(label, { exact: true })
  const option = select.locator('option', { hasText: text })
  await expect(option).toHaveCount(1)
  await select.selectOption((await option.getAttribute('value')) as string)
}

function definition(page: Page, key: string) {
  return page.locator('.govuk-summary-list__row', { has: page.locator('dt', { hasText: new RegExp(`^${key}$`) }) }).locator('dd')
}

test('the PMO gives a new KPI an owner and a project, then makes it the programme\'s own', async ({ page }) => {
  const name = `Residents served online first time ${RUN}`
  await signIn(page, 'pmo@demo.test')
  await page.goto('/kpis/new')
  await expect(page.getByRole('heading', { name: 'Add a KPI', level: 1 })).toBeVisible()
  await page.getByLabel('Code', { exact: true }).fill(`LNK-${RUN}`)
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Owner (optional)').selectOption({ label: 'Fran Finance (Section 151)' })
  await page.getByLabel('Programme (optional)').selectOption({ label: PROGRAMME })
  await choose(page, 'Project (optional)', PROJECT)
  await checkPage(page, 'kpi-form-links', false)
  await page.getByRole('button', { name: 'Add the KPI' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(definition(page, 'Owner')).toHaveText('Fran Finance (Section 151)')
  await expect(definition(page, 'Programme')).toHaveText(PROGRAMME)
  await expect(definition(page, 'Project')).toContainText(PROJECT)
  await checkPage(page, 'kpi-links')

  // The form opens on the KPI's project; "None" makes it the programme's own.
  await page.getByRole('link', { name: 'Change the definition' }).click()
  await expect(page.getByLabel('Programme (optional)').locator('option:checked')).toHaveText(PROGRAMME)
  await expect(page.getByLabel('Project (optional)').locator('option:checked')).toContainText(PROJECT)
  await page.getByLabel('Project (optional)').selectOption({ label: 'None: the programme as a whole' })
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(definition(page, 'Programme')).toHaveText(PROGRAMME)
  await expect(definition(page, 'Project')).toHaveText('None: a KPI of the programme as a whole')
})

test('a finance officer gives a new benefit an owner and the KPI that measures it', async ({ page }) => {
  const title = `Fewer calls about bin collections ${RUN}`
  await signIn(page, 'finance@demo.test')
  await page.goto('/projects')
  await page.getByRole('link', { name: PROJECT }).first().click()
  await page.getByRole('link', { name: 'Benefits' }).first().click()
  await page.getByRole('link', { name: 'Add a benefit' }).click()
  await expect(page.getByRole('heading', { name: 'Add a benefit', level: 1 })).toBeVisible()
  await page.getByLabel('Title', { exact: true }).fill(title)
  await page.getByLabel('Class', { exact: true }).selectOption({ label: 'Qualitative' })
  await page.getByLabel('Owner (optional)').selectOption({ label: 'Sam Sponsor (Service Director)' })
  await choose(page, 'KPI (optional)', 'CX-01 ')
  await checkPage(page, 'benefit-form-links', false)
  await page.getByRole('button', { name: 'Add the benefit' }).click()

  // Back on the Benefits tab: the owner and the KPI in words, the KPI a link to its page.
  const benefit = page.locator('div', { has: page.getByRole('heading', { name: new RegExp(title) }) }).last()
  const links = benefit.getByTestId(/^benefit-links-/)
  await expect(links).toContainText('Owner: Sam Sponsor (Service Director).')
  await expect(links.getByRole('link', { name: /^KPI CX-01 / })).toBeVisible()
  await checkPage(page, 'benefit-links', false)
})

test('the PMO deletes an empty programme; one with projects is refused', async ({ page }) => {
  const name = `Short-lived programme ${RUN}`
  await signIn(page, 'pmo@demo.test')

  // A programme with projects: no link, and the API's reason if asked all the same.
  await page.goto('/portfolio')
  await page.getByRole('link', { name: PROGRAMME, exact: true }).first().click()
  await expect(page.getByRole('heading', { name: PROGRAMME, level: 1 })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Change the programme' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Delete the programme' })).toHaveCount(0)
  await page.goto(`${new URL(page.url()).pathname}/delete`)
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.locator('.govuk-error-summary')).toContainText(/project/)
  await checkPage(page, 'programme-delete-refused', false)

  await page.goto('/portfolio')
  await page.getByRole('link', { name: 'Add a programme' }).click()
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByRole('button', { name: 'Add the programme' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await page.getByRole('link', { name: 'Delete the programme' }).click()
  await expect(page.getByRole('heading', { name: `Delete ${name}?`, level: 1 })).toBeVisible()
  await checkPage(page, 'programme-delete')
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page).toHaveURL(/\/portfolio$/)
  await expect(page.getByRole('link', { name: PROGRAMME, exact: true }).first()).toBeVisible()
  await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0)
})

test('the PMO imports assumptions from CSV: a bad row first, then the corrected file', async ({ page, request }) => {
  const headers = await token(request, 'pmo@demo.test')
  const found = await request.get('/api/v1/projects', { headers, params: { q: PROJECT, limit: 10 } })
  const project = (await found.json()).items.find((p: { name: string }) => p.name === PROJECT)
  expect(project, PROJECT).toBeTruthy()
  const total = async () =>
    (await (await request.get('/api/v1/raid-register', { headers, params: { type: 'assumption', limit: 1 } })).json()).total as number
  const before = await total()

  await signIn(page, 'pmo@demo.test')
  await page.goto('/raid-register')
  await page.getByRole('link', { name: 'Import RAID items from a CSV file' }).click()
  await expect(page.getByRole('heading', { name: 'Import RAID items', level: 1 })).toBeVisible()
  await page.getByLabel('Assumptions').check()
  await expect(page.getByTestId('import-columns')).toContainText('project, statement, category, owner_email, validate_by, status')

  const header = 'project,statement,category,owner_email,validate_by\n'
  const first = `Residents will use the new website ${RUN}`
  const second = `The hosting contract is renewed on time ${RUN}`
  const file = (owner: string) => ({
    name: 'assumptions.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${header}${project.reference},${first},Customer,pm@demo.test,2027-03-31\n${project.reference},${second},Contract,${owner},2027-06-30\n`),
  })
  await page.getByLabel('File', { exact: true }).setInputFiles(file('nobody@demo.test'))
  await page.getByRole('button', { name: 'Check the file' }).click()
  await expect(page.locator('.govuk-error-summary')).toContainText('nothing was imported')
  const problems = page.getByTestId('import-errors').locator('tbody tr')
  await expect(problems).toHaveCount(1)
  await expect(problems.locator('td').nth(0)).toHaveText('3')
  await expect(problems.locator('td').nth(1)).toHaveText('owner_email')
  await expect(page.getByRole('button', { name: /^Import / })).toHaveCount(0)
  await checkPage(page, 'raid-import-errors')
  expect(await total()).toBe(before)

  await page.getByLabel('File', { exact: true }).setInputFiles(file('sponsor@demo.test'))
  await page.getByRole('button', { name: 'Check the file' }).click()
  await expect(page.getByTestId('import-checked')).toHaveText('Every row is good: 2 assumptions can be imported.')
  await page.getByRole('button', { name: 'Import 2 assumptions' }).click()
  await expect(page.getByRole('alert').filter({ hasText: /Imported 2 assumptions: A-\d+ to A-\d+\./ })).toBeVisible()
  await expect(page.getByTestId('imported-items')).toContainText(second)
  await checkPage(page, 'raid-imported', false)
  const after = await total()
  expect(after).toBe(before + 2)

  // On the register, the log's last items (by reference, 50 a page).
  await page.getByRole('link', { name: 'Go to the RAID register' }).click()
  await expect(page).toHaveURL(/\/raid-register\?type=assumption$/)
  if (after > 50) await page.goto(`/raid-register?type=assumption&offset=${Math.floor((after - 1) / 50) * 50}`)
  await expect(page.getByTestId('raid-register').getByRole('row', { name: new RegExp(second) })).toContainText('Sam Sponsor')
})
