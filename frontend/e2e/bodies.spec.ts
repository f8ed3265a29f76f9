import { type Page, expect, test } from '@playwright/test'
import { checkPage, fillDate, signIn } from './helpers'

// Keeping the portfolio's own records: governance bodies with their members and meeting dates,
// portfolios (created, closed, opened again) and a new delegation rule. Every record here is
// the spec's own, so other specs' demo records stay as they were: the portfolio's name sorts
// after the demo's (forms pick the first portfolio), and the new rule is not in use (draw-downs
// other specs request are still routed by the demo's rules).

/** The page's width at 375 px: no page may scroll sideways (wide tables scroll in their own region). */
async function widthAt375(page: Page, path: string): Promise<number> {
  await page.setViewportSize({ width: 375, height: 900 })
  await page.goto(path)
  await expect(page.locator('main h1').first()).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: /Loading/ })).toHaveCount(0)
  const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0)
  await page.setViewportSize({ width: 1280, height: 900 })
  return width
}

test('a PMO officer sets up a governance body with a member and a meeting date, then moves the date', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/portfolio')
  await page.getByRole('link', { name: 'Governance bodies', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Governance bodies', level: 1 })).toBeVisible()
  await expect(page.getByTestId('governance-bodies')).toContainText('Organisational Development Steering Group')
  await checkPage(page, 'governance-bodies')

  await page.getByRole('link', { name: 'Add a governance body' }).click()
  await expect(page.getByRole('heading', { name: 'Add a governance body' })).toBeVisible()
  await checkPage(page, 'governance-body-form')
  // The API's own words next to the field: a name is required.
  await page.getByRole('button', { name: 'Add the governance body' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(page.locator('#field-name-error')).toBeVisible()
  await checkPage(page, 'governance-body-form-errors', false)

  const name = 'Leisure Estate Programme Board'
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Kind').selectOption('programme_board')
  await page.getByRole('button', { name: 'Add the governance body' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()

  // A member, as chair: shown on the page at once.
  await page.getByLabel('Person').selectOption({ label: 'Sam Sponsor (Service Director)' })
  await page.getByLabel('Chair').check()
  await page.getByRole('button', { name: 'Add the member' }).click()
  const members = page.getByTestId('body-members')
  await expect(members.getByRole('row', { name: /Sam Sponsor/ })).toContainText('Chair')

  // A meeting date: no date is refused next to the field, then one is added.
  await page.getByRole('link', { name: 'Add a meeting date' }).click()
  await expect(page.getByRole('heading', { name: 'Add a meeting date' })).toBeVisible()
  await page.getByRole('button', { name: 'Add the meeting' }).click()
  await expect(page.locator('#field-meets_on-error')).toContainText('Enter the meeting date')
  await checkPage(page, 'meeting-form-errors', false)
  await fillDate(page, 'Date of the meeting', '2027-03-17')
  await page.getByLabel('Location (optional)').fill('Committee Room 1, Town Hall')
  await page.getByRole('button', { name: 'Add the meeting' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  const meetings = page.getByTestId('body-meetings')
  await expect(meetings).toContainText('17 Mar 2027')
  await expect(meetings).toContainText('Committee Room 1, Town Hall')
  await checkPage(page, 'governance-body')

  // The meeting moves a week: the page shows the new date, not the old one.
  await meetings.getByRole('link', { name: /^Change/ }).click()
  await expect(page.getByRole('heading', { name: 'Change the meeting on 17 Mar 2027' })).toBeVisible()
  await checkPage(page, 'meeting-form')
  await fillDate(page, 'Date of the meeting', '2027-03-24')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(meetings).toContainText('24 Mar 2027')
  await expect(meetings).not.toContainText('17 Mar 2027')

  // Cancelled, after a confirmation.
  await meetings.getByRole('button', { name: /^Cancel the meeting/ }).click()
  await meetings.getByRole('button', { name: /^Yes, cancel it/ }).click()
  await expect(page.getByRole('alert')).toContainText('The meeting on 24 Mar 2027 is cancelled.')
  await expect(page.getByTestId('body-meetings')).toHaveCount(0)

  // The body's kind changes through its form.
  await page.getByRole('link', { name: 'Change the body' }).click()
  await page.getByLabel('Kind').selectOption('steering_group')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(page.locator('.govuk-summary-list')).toContainText('Steering group')

  const bodyPage = new URL(page.url()).pathname
  for (const path of ['/governance-bodies', '/governance-bodies/new', bodyPage, `${bodyPage}/meetings/new`, '/portfolios', '/portfolios/new']) {
    expect(await widthAt375(page, path), `${path} at 375 px`).toBeLessThanOrEqual(375)
  }
})

test('a PMO officer creates a portfolio, closes it and opens it again', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/portfolio')
  await page.getByRole('link', { name: 'Portfolios', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Portfolios', level: 1 })).toBeVisible()
  await checkPage(page, 'portfolios')

  await page.getByRole('link', { name: 'Add a portfolio' }).click()
  await checkPage(page, 'portfolio-form')
  const name = 'Zero Waste Portfolio'
  await page.getByLabel('Name', { exact: true }).fill(name)
  // Dates out of order: the API's message, next to the field it names.
  await fillDate(page, 'Start date (optional)', '2027-04-01')
  await fillDate(page, 'End date (optional)', '2026-04-01')
  await page.getByRole('button', { name: 'Add the portfolio' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await checkPage(page, 'portfolio-form-errors', false)
  await fillDate(page, 'End date (optional)', '2030-03-31')
  await page.getByRole('button', { name: 'Add the portfolio' }).click()

  const row = page.getByTestId('portfolios').getByRole('row', { name: new RegExp(name) })
  await expect(row).toContainText('Active')
  await expect(row).toContainText('31 Mar 2030')

  await row.getByRole('link', { name: /^Change/ }).click()
  await page.getByLabel('Closed').check()
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(row).toContainText('Closed on')

  await row.getByRole('link', { name: /^Change/ }).click()
  await page.getByLabel('Active').check()
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(row).toContainText('Active')

  // Empty, it may be deleted: asked first, with a warning button.
  await row.getByRole('link', { name: /^Delete/ }).click()
  await expect(page.getByRole('heading', { name: `Delete ${name}?` })).toBeVisible()
  await checkPage(page, 'portfolio-delete')
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('heading', { name: 'Portfolios', level: 1 })).toBeVisible()
  await expect(page.getByTestId('portfolios')).not.toContainText(name)

  // The demo's portfolio still has open programmes: the API offers neither closing nor
  // deleting it, and a delete asked for anyway is refused in the API's words.
  const demo = page.getByTestId('portfolios').getByRole('row', { name: /Organisational Development Programme 2022-2025/ })
  await expect(demo.getByRole('link', { name: /^Delete/ })).toHaveCount(0)
  const edit = await demo.getByRole('link', { name: /^Change/ }).getAttribute('href')
  await demo.getByRole('link', { name: /^Change/ }).click()
  await expect(page.getByRole('heading', { name: /^Change Organisational Development/ })).toBeVisible()
  await expect(page.getByLabel('Closed')).toHaveCount(0)
  await page.goto((edit ?? '').replace(/edit$/, 'delete'))
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(page.locator('.govuk-error-summary')).toContainText('programme(s); move or delete them first')
  await checkPage(page, 'portfolio-delete-refused', false)
  await page.getByRole('link', { name: 'No, go back' }).click()
  await expect(demo).toContainText('Active')
})

test('a PMO officer deletes a governance body nothing uses; one that oversees programmes is kept, and says why', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/governance-bodies/new')
  const name = 'Temporary Asset Review Group'
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Kind').selectOption('other')
  await page.getByRole('button', { name: 'Add the governance body' }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()

  await page.getByRole('link', { name: 'Delete the body' }).click()
  await expect(page.getByRole('heading', { name: `Delete ${name}?` })).toBeVisible()
  await checkPage(page, 'governance-body-delete')
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('heading', { name: 'Governance bodies', level: 1 })).toBeVisible()
  await expect(page.getByTestId('governance-bodies')).not.toContainText(name)

  // The steering group oversees the demo's programmes: no delete button, and the API's reason.
  await page.getByRole('link', { name: 'Organisational Development Steering Group' }).click()
  await expect(page.getByRole('link', { name: 'Change the body' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Delete the body' })).toHaveCount(0)
  await page.goto(`${new URL(page.url()).pathname}/delete`)
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.locator('.govuk-error-summary')).toContainText('overseen by this body')
  await checkPage(page, 'governance-body-delete-refused', false)
})

test('a finance officer adds a delegation rule', async ({ page }) => {
  await signIn(page, 'finance@demo.test')
  await page.goto('/funding-sources')
  await page.getByRole('link', { name: /^Delegation rules/ }).click()
  await page.getByRole('link', { name: 'Add a delegation rule' }).click()
  await expect(page.getByRole('heading', { name: 'Add a delegation rule' })).toBeVisible()
  await checkPage(page, 'delegation-rule-new')

  await page.getByRole('button', { name: 'Add the rule' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(page.locator('#field-name-error')).toBeVisible()
  await expect(page.locator('#field-limit-error')).toBeVisible()
  await checkPage(page, 'delegation-rule-new-errors', false)

  const name = 'Small works under the Finance Officer'
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Who decides').selectOption('finance')
  await page.getByLabel('Delegated limit').fill('25,000.00')
  // Not in use: draw-downs other journeys request keep the demo's routing.
  await page.getByLabel('No: draw-downs are not routed by it').check()
  await page.getByRole('button', { name: 'Add the rule' }).click()

  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'In force today: version 1' })).toBeVisible()
  await expect(page.locator('.govuk-summary-list')).toContainText('£25,000.00')
  await page.getByRole('link', { name: 'Delegation rules' }).click()
  await expect(page.getByTestId('delegation-rules')).toContainText(name)
  expect(await widthAt375(page, '/delegation-rules/new'), 'the rule form at 375 px').toBeLessThanOrEqual(375)
})

test('a viewer reads the bodies, portfolios and rules but is offered no change, and a direct address is refused', async ({ page }) => {
  await signIn(page, 'viewer@demo.test')
  await page.goto('/governance-bodies')
  await expect(page.getByTestId('governance-bodies')).toContainText('Organisational Development Steering Group')
  await expect(page.getByRole('link', { name: 'Add a governance body' })).toHaveCount(0)
  await page.getByRole('link', { name: 'Organisational Development Steering Group' }).click()
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible()
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Add the member' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Add a meeting date' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Change the body' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Delete the body' })).toHaveCount(0)
  await page.goto('/portfolios')
  await expect(page.getByTestId('portfolios')).toContainText('Organisational Development Programme 2022-2025')
  await expect(page.getByRole('link', { name: 'Add a portfolio' })).toHaveCount(0)
  await page.goto('/delegation-rules')
  await expect(page.getByTestId('delegation-rules')).toBeVisible()
  await expect(page.getByRole('link', { name: 'Add a delegation rule' })).toHaveCount(0)
  // A project offers the viewer none of its actions (the API lists none for them).
  await page.goto('/projects')
  await page.getByTestId('projects-table').locator('tbody').getByRole('link').first().click()
  await expect(page.getByTestId('project-stage')).toBeVisible()
  await expect(page.getByRole('link', { name: 'Delivery confidence history' })).toBeVisible()
  for (const action of ['Change the project', 'Request a gate review', 'Assess delivery confidence']) {
    await expect(page.getByRole('link', { name: action })).toHaveCount(0)
  }
  await page.getByRole('link', { name: 'Milestones', exact: true }).click()
  await expect(page.getByRole('table', { name: 'Milestones' }).or(page.getByText('No milestones yet.'))).toBeVisible()
  await expect(page.getByRole('link', { name: 'Add a milestone' })).toHaveCount(0)
  await checkPage(page, 'project-as-viewer', false)
  for (const address of ['/governance-bodies/new', '/portfolios/new', '/delegation-rules/new']) {
    await page.goto(address)
    await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
  }
})
