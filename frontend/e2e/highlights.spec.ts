import { type APIRequestContext, expect, test } from '@playwright/test'
import { PASSWORD, checkPage, signIn } from './helpers'

// The demo gives pm@demo.test's projects in one programme last month's reports as a draft, a
// submitted one and a returned one, and one project with none (backend/pmo/reports/highlights_demo.py).

async function token(request: APIRequestContext, email: string): Promise<Record<string, string>> {
  const response = await request.post('/api/v1/auth/token', { form: { grant_type: 'password', username: email, password: PASSWORD } })
  expect(response.ok()).toBeTruthy()
  return { Authorization: `Bearer ${(await response.json()).access_token}` }
}

interface Report {
  id: string
  project_id: string
  programme_id: string
  period: string
  period_label: string
  status: string
}

test('a project manager writes and submits a highlight report, the sponsor accepts it, the PMO sees the late ones', async ({ browser, request }) => {
  test.setTimeout(180_000) // three people, each page checked with axe
  const pmHeaders = await token(request, 'pm@demo.test')
  const reports: Report[] = (await (await request.get('/api/v1/highlight-reports?status=draft', { headers: pmHeaders })).json()).items
  const draft = reports[0] as Report
  expect(draft).toBeTruthy()

  // The project manager finds the draft on the project's page, and starts a report for a
  // project that has none.
  const pm = await (await browser.newContext()).newPage()
  await signIn(pm, 'pm@demo.test')
  await pm.goto(`/projects/${draft.project_id}?tab=highlights`)
  await expect(pm.getByRole('heading', { name: 'Highlight reports', level: 2 })).toBeVisible()
  await checkPage(pm, 'highlights-project-tab')
  await pm.getByRole('link', { name: draft.period_label }).click()
  await expect(pm.getByRole('heading', { name: `Highlight report: ${draft.period_label}`, level: 1 })).toBeVisible()
  await expect(pm.locator('.govuk-tag').getByText('Draft', { exact: true })).toBeVisible()
  await checkPage(pm, 'highlights-draft')

  // Submitting without the benefits sentence: the server's 422 is shown on that field.
  await pm.getByLabel('Summary').fill('On plan; the supplier is onboarded.')
  for (const dimension of ['Time', 'Cost', 'Scope', 'Benefits']) {
    await pm.getByRole('group', { name: `${dimension}: RAG status` }).getByLabel(dimension === 'Cost' ? 'Amber' : 'Green').check()
  }
  await pm.getByLabel('Time: one sentence on why').fill('Milestones met.')
  await pm.getByLabel('Cost: one sentence on why').fill('Licences up 4%.')
  await pm.getByLabel('Scope: one sentence on why').fill('No change.')
  await pm.getByLabel('Benefits: one sentence on why').fill('')
  // Escalations: the project's open risks and issues, the draft's own ticked.
  await expect(pm.getByRole('group', { name: 'Risks and issues to escalate' })).toBeVisible()
  await pm.getByRole('button', { name: 'Submit to the sponsor' }).click()
  const summary = pm.locator('.govuk-error-summary').first()
  await expect(summary).toContainText('Benefits: one sentence: required to submit')
  await expect(pm.locator('#field-benefits_note-error')).toBeVisible()
  await checkPage(pm, 'highlights-errors', false)

  // The draft was saved with what was given; completing it submits it.
  await pm.getByLabel('Benefits: one sentence on why').fill('Savings unchanged.')
  await pm.getByRole('button', { name: 'Submit to the sponsor' }).click()
  await expect(pm.getByText('Submitted for review', { exact: true })).toBeVisible()
  await expect(pm.getByRole('button', { name: 'Submit to the sponsor' })).toHaveCount(0)

  // The sponsor returns nothing without a reason, then accepts it.
  const sponsor = await (await browser.newContext()).newPage()
  await signIn(sponsor, 'sponsor@demo.test')
  await sponsor.goto(`/highlight-reports/${draft.id}`)
  await expect(sponsor.getByRole('heading', { name: 'Your review' })).toBeVisible()
  await expect(sponsor.getByText('On plan; the supplier is onboarded.')).toBeVisible()
  await checkPage(sponsor, 'highlights-review')
  await sponsor.getByLabel('Return it to the project manager').check()
  await sponsor.getByRole('button', { name: 'Send the review' }).click()
  await expect(sponsor.locator('.govuk-error-summary').first()).toContainText('Comments: required when returned')
  await sponsor.getByLabel('Accept it').check()
  await sponsor.getByRole('button', { name: 'Send the review' }).click()
  await expect(sponsor.locator('.govuk-tag').getByText('Accepted', { exact: true })).toBeVisible()
  await expect(sponsor.getByRole('heading', { name: 'Your review' })).toHaveCount(0)

  // The programme board's pack gathers the month's submitted reports, as Word and PDF.
  const board = sponsor
  await board.goto(`/programmes/${draft.programme_id}`)
  const pack = board.getByTestId('highlight-pack')
  await expect(board.getByRole('heading', { name: 'Highlight reports for the programme board' })).toBeVisible()
  await expect(pack.getByRole('link').first()).toBeVisible()
  await expect(pack).toContainText('Accepted')
  const [word] = await Promise.all([
    board.waitForEvent('download'),
    board.getByRole('button', { name: 'Download the pack as a Word document' }).click(),
  ])
  expect(word.suggestedFilename()).toMatch(new RegExp(`-highlight-reports-${draft.period}\\.docx$`))
  const [pdf] = await Promise.all([
    board.waitForEvent('download'),
    board.getByRole('button', { name: 'Download the pack as an accessible PDF' }).click(),
  ])
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/)
  await checkPage(board, 'highlights-programme-pack', false)

  // The PMO's home page lists the reports not submitted by the due day.
  const pmo = await (await browser.newContext()).newPage()
  await signIn(pmo, 'pmo@demo.test')
  await expect(pmo.getByRole('heading', { name: 'Late highlight reports' })).toBeVisible()
  const late = pmo.getByTestId('late-highlights')
  const allIn = pmo.getByText(/^Every active project's report for .* was submitted by/)
  await expect(late.or(allIn)).toBeVisible()
  await checkPage(pmo, 'highlights-late')
})
