import { expect, test } from '@playwright/test'
import { checkPage, fillDate, signIn } from './helpers'

// Setting up a programme in the app, without the API docs: a PMO officer creates a programme
// and a project in it, records a delivery confidence assessment and re-baselines a milestone;
// a finance officer makes a new version of a delegation rule effective next month. Every record
// here is made by this spec (names carry a run mark), so no other spec depends on them.
const RUN = Date.now().toString(36).slice(-5)

function iso(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`
}

test('a PMO officer sets up a programme and a project, assesses confidence and re-baselines a milestone', async ({ page }) => {
  test.slow() // the longest journey: a whole set-up, eight pages checked with axe
  const programme = `Customer Access ${RUN}`
  const project = `Self-service portal ${RUN}`
  await signIn(page, 'pmo@demo.test')
  await page.goto('/portfolio')
  await page.getByRole('link', { name: 'Add a programme' }).click()
  await expect(page.getByRole('heading', { name: 'Add a programme', level: 1 })).toBeVisible()
  await checkPage(page, 'programme-form')

  // The API's own messages, next to the fields: no name, and an end before the start.
  await fillDate(page, 'Planned start (optional)', '2027-04-01')
  await fillDate(page, 'Planned end (optional)', '2027-03-31')
  await page.getByRole('button', { name: 'Add the programme' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(page.locator('#field-name-error')).toBeVisible()
  await checkPage(page, 'programme-form-errors', false)

  await page.getByLabel('Name', { exact: true }).fill(programme)
  await page.getByLabel('Ambition (optional)').fill('Residents do their business with the council online, first time.')
  await page.getByLabel('Senior responsible owner (optional)').selectOption({ label: 'Sam Sponsor (Service Director)' })
  await page.getByLabel('Phase (optional)').fill('Phase 1: discovery')
  await fillDate(page, 'Planned end (optional)', '2029-03-31')
  await page.getByRole('button', { name: 'Add the programme' }).click()
  await expect(page.getByRole('heading', { name: programme, level: 1 })).toBeVisible()
  await expect(page.getByRole('definition').filter({ hasText: 'Phase 1: discovery' })).toBeVisible()
  await checkPage(page, 'programme-new')

  // Change it: the change shows at once.
  await page.getByRole('link', { name: 'Change the programme' }).click()
  await expect(page.getByRole('heading', { name: `Change ${programme}` })).toBeVisible()
  await page.getByLabel('Phase (optional)').fill('Phase 2: delivery')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByRole('heading', { name: programme, level: 1 })).toBeVisible()
  await expect(page.getByRole('definition').filter({ hasText: 'Phase 2: delivery' })).toBeVisible()

  // A project in it.
  await page.getByRole('link', { name: 'Add a project' }).click()
  await expect(page.getByRole('heading', { name: 'Add a project', level: 1 })).toBeVisible()
  await checkPage(page, 'project-form')
  await page.getByLabel('Name', { exact: true }).fill(project)
  await page.getByLabel('Project manager (optional)').selectOption({ label: 'Morgan Project-Manager' })
  await fillDate(page, 'Planned start (optional)', '2027-04-01')
  await page.getByRole('button', { name: 'Add the project' }).click()
  await expect(page.getByRole('heading', { name: project, level: 1 })).toBeVisible()
  await expect(page.getByText('Not assessed').first()).toBeVisible()

  // The programme cannot close while the project is open: the API says why, on the form.
  await page.getByRole('link', { name: programme, exact: true }).click()
  await page.getByRole('link', { name: 'Change the programme' }).click()
  await page.getByLabel('Closed').check()
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(page.getByText(/have not reached their last stage/).first()).toBeVisible()
  await checkPage(page, 'programme-close-refused', false)
  await page.goto('/portfolio')
  await page.getByRole('link', { name: programme, exact: true }).click()
  await page.getByRole('link', { name: project, exact: true }).click()
  await expect(page.getByRole('heading', { name: project, level: 1 })).toBeVisible()

  // Delivery confidence: "Not assessed" until the first assessment, then its rating.
  await page.getByRole('link', { name: 'Assess delivery confidence' }).click()
  await expect(page.getByRole('heading', { name: 'Delivery confidence', level: 1 })).toBeVisible()
  await expect(page.getByText('Not assessed yet.')).toBeVisible()
  await page.getByRole('button', { name: 'Record the assessment' }).click()
  await expect(page.locator('#field-rating-error')).toBeVisible()
  await expect(page.locator('#field-commentary-error')).toBeVisible()
  await checkPage(page, 'confidence-errors', false)
  await page.getByLabel(/^Amber\/green:/).check()
  await page.getByLabel('Rationale').fill('Supplier chosen; the integration with the CRM is not yet proven.')
  await page.getByRole('button', { name: 'Record the assessment' }).click()
  const history = page.getByTestId('confidence-history')
  await expect(history).toContainText('Amber/green')
  await expect(history).toContainText('Priya Patel (PMO)')
  await checkPage(page, 'confidence')

  // A milestone, then a re-baseline with a reason: the first baseline stays in the history.
  await page.getByRole('link', { name: `${project}` }).click()
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Milestones', exact: true }).click()
  await page.getByRole('link', { name: 'Add a milestone' }).click()
  await expect(page.getByRole('heading', { name: 'Add a milestone', level: 1 })).toBeVisible()
  await checkPage(page, 'milestone-form')
  await page.getByLabel('Title').fill('Portal live for council tax')
  await fillDate(page, 'Baseline date', '2027-09-30')
  await page.getByRole('button', { name: 'Add the milestone' }).click()
  await expect(page.getByRole('heading', { name: 'Portal live for council tax', level: 1 })).toBeVisible()
  await fillDate(page, 'New baseline date', '2027-12-31')
  await page.getByLabel('Reason').fill('Programme board of 14 June agreed a later date after the CRM upgrade slipped.')
  await page.getByRole('button', { name: 'Re-baseline the milestone' }).click()
  const baselines = page.getByTestId('baseline-history')
  await expect(baselines).toContainText('Programme board of 14 June agreed a later date')
  await expect(baselines.locator('tbody tr')).toHaveCount(2)
  await expect(baselines).toContainText(/30 Sept? 2027/)

  // The project's forecast moves, then the milestone is done; the baseline does not move.
  await fillDate(page, 'Forecast date', '2028-01-31')
  await page.getByRole('button', { name: 'Save the forecast and progress' }).click()
  const summary = page.locator('main .govuk-summary-list').first()
  await expect(summary).toContainText(/31 Jan(uary)? 2028/)
  await page.getByRole('radio', { name: 'Done' }).check()
  await page.getByRole('button', { name: 'Save the forecast and progress' }).click()
  await expect(summary.getByText('Done', { exact: true })).toBeVisible()
  await expect(summary).toContainText(/31 Dec(ember)? 2027/)
  await expect(baselines.locator('tbody tr')).toHaveCount(2)
  await checkPage(page, 'milestone-progress', false)
})

test('a finance officer makes a new delegation-rule version effective next month and reads the history', async ({ page }) => {
  const now = new Date()
  const nextMonth = new Date(now.getFullYear(), now.getMonth() + 1, 1)
  await signIn(page, 'finance@demo.test')
  await page.goto('/funding-sources')
  await page.getByRole('link', { name: /^Delegation rules/ }).click()
  await expect(page.getByRole('heading', { name: 'Delegation rules', level: 1 })).toBeVisible()
  await checkPage(page, 'delegation-rules')
  await page.getByRole('link', { name: 'Service Director delegation' }).click()
  await expect(page.getByRole('heading', { name: 'Service Director delegation', level: 1 })).toBeVisible()
  const versionsBefore = await page.getByTestId('rule-versions').locator('tbody tr').count()

  await page.getByRole('link', { name: 'Change the rule' }).click()
  await expect(page.getByRole('heading', { name: 'Change Service Director delegation' })).toBeVisible()
  await checkPage(page, 'delegation-rule-form')
  // A date in the past is refused by the API, next to the field.
  await fillDate(page, 'Takes effect on', '2020-04-01')
  await page.getByRole('button', { name: 'Save as a new version' }).click()
  await expect(page.locator('#field-effective_from-error')).toContainText('today or in the future')
  await checkPage(page, 'delegation-rule-form-errors', false)

  await fillDate(page, 'Takes effect on', iso(nextMonth))
  await page.getByLabel('Delegated limit').fill('45,000.00')
  await page.getByRole('button', { name: 'Save as a new version' }).click()
  await expect(page.getByRole('heading', { name: 'Service Director delegation', level: 1 })).toBeVisible()

  // The version in force today is unchanged; the new one is scheduled, and the history says what changed and who.
  await expect(page.getByTestId('scheduled-version').last()).toContainText('takes effect on')
  const versions = page.getByTestId('rule-versions')
  await expect(versions.locator('tbody tr')).toHaveCount(versionsBefore + 1)
  const newest = versions.locator('tbody tr').first()
  await expect(newest).toContainText('(scheduled)')
  await expect(newest).toContainText('Delegated limit: £50,000.00 to £45,000.00')
  await expect(newest).toContainText('Fran Finance (Section 151)')
  await expect(versions).toContainText('(in force)')
  await checkPage(page, 'delegation-rule')
})
