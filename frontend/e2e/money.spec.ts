import { type Browser, type Page, expect, test } from '@playwright/test'
import { cell, checkPage, signIn, fillDate } from './helpers'

// The demo's default delegation rule: the Service Director for Digital, HR and Customer Services
// (sponsor@demo.test) decides up to £50,000.00 per project per financial year, after consulting
// finance@demo.test and member@demo.test; above it, Cabinet. pm@demo.test manages both projects,
// both in that directorate, and neither has a draw-down in the demo.
const DELEGATED_PROJECT = 'Replace the Council website'
const REFERRED_PROJECT = 'Integration of housing into customer services functions'
const RESERVE = 'Service Redesign Reserve'

function penceOf(text: string): number {
  const [whole = '0', fraction = '00'] = text.replace(/[£,\s]/g, '').split('.')
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2))
}

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signIn(page, email)
  return page
}

async function remaining(page: Page, source: string): Promise<number> {
  await page.goto('/funding-sources')
  await expect(page.getByRole('heading', { name: 'Funding sources', level: 1 })).toBeVisible()
  return penceOf(await cell(page, 'funding-sources', source, 'Remaining'))
}

async function choose(page: Page, label: string, text: string): Promise<void> {
  const select = page.getByLabel(label, { exact: true })
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value')
  await select.selectOption(value as string)
}

/** The project manager fills in the request form up to the route preview. */
async function startRequest(pm: Page, project: string, amount: string): Promise<void> {
  await pm.goto('/drawdowns')
  await pm.getByRole('link', { name: 'Request a draw-down' }).click()
  await expect(pm.getByRole('heading', { name: 'Request a draw-down' })).toBeVisible()
  await choose(pm, 'Project', project)
  await choose(pm, 'Funding source', RESERVE)
  await pm.getByLabel('Amount', { exact: true }).fill(amount)
  await pm.getByLabel('Financial year').selectOption('2023/24')
}

async function openFromAwaitingMe(page: Page, reference: string, via: 'filter' | 'home' = 'filter'): Promise<void> {
  if (via === 'home') {
    // "My work" counts what waits for me and links to the same filtered list.
    await page.getByTestId('drawdowns-awaiting-me').getByRole('link').click()
  } else {
    await page.getByRole('link', { name: 'Draw-downs', exact: true }).first().click()
    await page.getByLabel(/^Awaiting me/).check()
    await page.getByRole('button', { name: 'Apply filters' }).click()
  }
  await expect(page).toHaveURL(/awaiting_me=true/)
  await expect(page.getByLabel(/^Awaiting me/)).toBeChecked()
  await expect(page.getByTestId('drawdowns-table')).toContainText(reference)
  await page.getByRole('link', { name: reference }).click()
  await expect(page.getByRole('heading', { name: new RegExp(`^Draw-down ${reference}`) })).toBeVisible()
}

test('a £30k draw-down goes through consultation to a delegated approval', async ({ browser }) => {
  // Four people, eight pages checked with axe, and the member's conflict question: over a minute on a busy machine.
  test.slow()
  const pm = await as(browser, 'pm@demo.test')
  const before = await remaining(pm, RESERVE)
  await checkPage(pm, 'funding-sources')
  // A project manager sees no way to change a funding source.
  await expect(pm.getByRole('link', { name: 'Add a funding source' })).toHaveCount(0)

  await pm.getByRole('link', { name: 'Draw-downs', exact: true }).first().click()
  await expect(pm.getByRole('heading', { name: 'Draw-downs', level: 1 })).toBeVisible()
  await checkPage(pm, 'drawdowns')

  await startRequest(pm, DELEGATED_PROJECT, '£30,000.00')
  // The route is shown before anything is sent.
  const preview = pm.getByTestId('route-preview')
  await expect(preview).toContainText(
    'Delegated: decided by a Service Director (sponsor), after consulting the Section 151 officer (finance officer) and the Cabinet Member.',
  )
  await expect(preview).toContainText('£50,000.00 limit')
  await checkPage(pm, 'drawdown-request')

  // Sent without a purpose: the API's field error is shown next to the field; nothing is lost.
  await pm.getByLabel('Approved business case').fill('OD business case BC-21')
  await pm.getByRole('button', { name: 'Send the request' }).click()
  await expect(pm.locator('.govuk-error-summary')).toContainText(/purpose/i)
  await expect(pm.getByLabel('Amount', { exact: true })).toHaveValue('£30,000.00')
  await checkPage(pm, 'drawdown-request-errors', false)
  await pm.getByLabel('Purpose').fill('Content design and migration for the new council website.')
  await pm.getByRole('button', { name: 'Send the request' }).click()

  const heading = pm.getByRole('heading', { name: /^Draw-down DD-\d{4}: £30,000\.00$/ })
  await expect(heading).toBeVisible()
  const reference = ((await heading.innerText()).match(/DD-\d{4}/) ?? [''])[0]
  await expect(pm.locator('.govuk-tag').getByText('In consultation', { exact: true })).toBeVisible()
  await expect(pm.getByTestId('outstanding')).toContainText('finance')
  // The requester is never consulted and never decides.
  await expect(pm.getByRole('button', { name: /Record my view|Record the decision/ })).toHaveCount(0)
  await checkPage(pm, 'drawdown-consultation', false)
  const url = pm.url()

  const finance = await as(browser, 'finance@demo.test')
  await openFromAwaitingMe(finance, reference)
  // A second tab of the same page, opened before the view is recorded, is now out of date.
  const stale = await finance.context().newPage()
  await stale.goto(url)
  await expect(stale.getByRole('button', { name: 'Record my view' })).toBeVisible()

  await finance.getByRole('button', { name: 'Record my view' }).click()
  await expect(finance.locator('.govuk-error-summary')).toContainText('Choose your view')
  await finance.getByLabel('Supports', { exact: true }).check()
  await finance.getByRole('textbox', { name: 'Comment' }).fill('Within the reserve’s extended scope.')
  await checkPage(finance, 'drawdown-view', false)
  await finance.getByRole('button', { name: 'Record my view' }).click()
  await expect(finance.getByTestId('consultations')).toContainText('Supports')
  await expect(finance.getByTestId('outstanding')).toContainText(/member/i)

  // The out-of-date tab sends the same view: the API's 409 is shown, in its own words.
  await stale.getByLabel('Objects', { exact: true }).check()
  await stale.getByRole('button', { name: 'Record my view' }).click()
  await expect(stale.locator('.govuk-error-summary')).toContainText(`The finance view on ${reference} is already recorded.`)
  await checkPage(stale, 'drawdown-conflict', false)

  const member = await as(browser, 'member@demo.test')
  await openFromAwaitingMe(member, reference)
  await member.getByLabel('Supports', { exact: true }).check()
  // The executive member is asked for a conflict of interest: the API refuses a view without an answer.
  await member.getByRole('button', { name: 'Record my view' }).click()
  await expect(member.locator('.govuk-error-summary')).toContainText('Say whether you declare a conflict of interest')
  await member.getByRole('group', { name: /conflict of interest/ }).getByLabel('No', { exact: true }).check()
  await member.getByRole('button', { name: 'Record my view' }).click()
  await expect(member.locator('.govuk-tag').getByText('Awaiting decision', { exact: true })).toBeVisible()
  await expect(member.getByTestId('outstanding')).toContainText('Every required view is recorded.')

  const sponsor = await as(browser, 'sponsor@demo.test')
  await openFromAwaitingMe(sponsor, reference, 'home')
  await sponsor.getByLabel(/^Approve £30,000\.00/).check()
  await sponsor.getByLabel('Reasons for the decision').fill('Approved business case; within delegation.')
  await sponsor.getByLabel('Alternative options considered and rejected').fill('Deferring to 2024/25: rejected, the work starts in May.')
  await checkPage(sponsor, 'drawdown-decision', false)
  await sponsor.getByRole('button', { name: 'Record the decision' }).click()
  await expect(sponsor.getByText('Approved', { exact: true }).first()).toBeVisible()
  await expect(sponsor.getByTestId('next-step')).toContainText('approved')
  await checkPage(sponsor, 'drawdown')

  // The reserve's remaining balance drops by exactly the amount approved.
  expect((await remaining(sponsor, RESERVE)) - before).toBe(-3_000_000)
  for (const page of [pm, finance, member, sponsor]) await page.context().close()
})

test('a £75k one is referred and recorded as a Cabinet decision', async ({ browser }) => {
  const pm = await as(browser, 'pm@demo.test')
  const before = await remaining(pm, RESERVE)
  await startRequest(pm, REFERRED_PROJECT, '75000')
  const preview = pm.getByTestId('route-preview')
  await expect(preview).toContainText('Referred to Cabinet.')
  await expect(preview).toContainText('£75,000.00')
  await expect(preview).toContainText('above the £50,000.00 limit')
  await pm.getByLabel('Purpose').fill('Integration of the housing contact centre into customer services: systems and training.')
  await pm.getByLabel('Approved business case').fill('Cabinet report on housing integration, para 4.2')
  await checkPage(pm, 'drawdown-request-referred', false)
  await pm.getByRole('button', { name: 'Send the request' }).click()
  const heading = pm.getByRole('heading', { name: /^Draw-down DD-\d{4}: £75,000\.00$/ })
  await expect(heading).toBeVisible()
  const reference = ((await heading.innerText()).match(/DD-\d{4}/) ?? [''])[0]
  await expect(pm.locator('.govuk-tag').getByText('Referred', { exact: true })).toBeVisible()
  await expect(pm.getByTestId('route')).toHaveText('Referred to Cabinet.')
  await pm.context().close()

  const democratic = await as(browser, 'democratic@demo.test')
  await openFromAwaitingMe(democratic, reference)
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  await expect(democratic.locator('.govuk-error-summary')).toContainText('Choose the outcome')
  await democratic.getByLabel(/^Approved: commit £75,000\.00/).check()
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  // The API wants the meeting date and a minute or key decision reference.
  await expect(democratic.locator('.govuk-error-summary')).toContainText(/meeting date/i)
  await fillDate(democratic, 'Meeting date', '2023-06-14')
  await democratic.getByLabel('Minute reference').fill('CAB 12/23')
  await checkPage(democratic, 'drawdown-committee', false)
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  await expect(democratic.getByText('Approved', { exact: true }).first()).toBeVisible()
  await expect(democratic.getByRole('definition').filter({ hasText: 'CAB 12/23' })).toBeVisible()
  await expect(democratic.getByRole('definition').filter({ hasText: '14 Jun 2023' })).toBeVisible()
  await checkPage(democratic, 'drawdown-cabinet', false)
  expect((await remaining(democratic, RESERVE)) - before).toBe(-7_500_000)

  // The project page lists it; the programme's financial summary counts it.
  await democratic.goto(`/projects?q=${encodeURIComponent('Integration of housing')}`)
  await democratic.getByRole('link', { name: REFERRED_PROJECT }).click()
  await expect(democratic.getByRole('heading', { name: REFERRED_PROJECT, level: 1 })).toBeVisible()
  const sections = democratic.getByRole('navigation', { name: 'Project sections' })
  await sections.getByRole('link', { name: 'Draw-downs', exact: true }).click()
  await expect(democratic).toHaveURL(/tab=drawdowns/)
  await expect(democratic.getByTestId('drawdowns-table')).toContainText(reference)
  await checkPage(democratic, 'project-drawdowns', false)
  await sections.getByRole('link', { name: 'Benefits', exact: true }).click()
  await expect(democratic.getByRole('heading', { name: 'Benefits', level: 2 })).toBeVisible()
  await checkPage(democratic, 'project-benefits', false)
  await sections.getByRole('link', { name: 'Cost lines', exact: true }).click()
  await expect(democratic.getByRole('heading', { name: 'Cost lines', level: 2 })).toBeVisible()
  await checkPage(democratic, 'project-costs', false)
  await democratic.locator('.govuk-caption-l a').click()
  await expect(democratic.getByRole('heading', { name: 'Financial summary' })).toBeVisible()
  await expect(democratic.getByTestId('benefits-chart')).toBeVisible()
  await expect(democratic.getByTestId('summary-drawdowns')).toContainText(RESERVE)
  await democratic.getByText(/^Each draw-down/).click()
  await expect(democratic.getByRole('listitem').filter({ hasText: reference })).toContainText('£75,000.00 from Service Redesign Reserve')
  await checkPage(democratic, 'financial-summary')

  // The downloads carry the access token: fetched, then saved.
  const download = democratic.waitForEvent('download')
  await democratic.getByRole('button', { name: 'Download as CSV' }).click()
  expect((await download).suggestedFilename()).toMatch(/^financial-summary-.*-planned-projects\.csv$/)
  const xlsx = democratic.waitForEvent('download')
  await democratic.getByRole('button', { name: /XLSX/ }).click()
  expect((await xlsx).suggestedFilename()).toMatch(/\.xlsx$/)

  await democratic.getByRole('link', { name: 'Portfolio', exact: true }).click()
  await democratic.getByRole('link', { name: 'Portfolio financial summary' }).click()
  await expect(democratic.getByRole('heading', { name: 'Portfolio financial summary' })).toBeVisible()
  // Appendix B of the Cabinet report: £1,202,000 of cashable benefits by 2025/26.
  await expect(democratic.getByTestId('summary-totals')).toContainText('£1,202,000.00')
  await checkPage(democratic, 'portfolio-financial-summary')
  await democratic.context().close()
})

test('finance adds a funding source; an approval that would overdraw it says what remains', async ({ browser }) => {
  const finance = await as(browser, 'finance@demo.test')
  await finance.goto('/funding-sources')
  await finance.getByRole('link', { name: 'Add a funding source' }).click()
  await expect(finance.getByRole('heading', { name: 'Add a funding source' })).toBeVisible()
  await finance.getByRole('button', { name: 'Add the funding source' }).click()
  await expect(finance.locator('.govuk-error-summary')).toContainText(/name/i)
  await finance.getByLabel('Name', { exact: true }).fill('Digital innovation grant')
  await finance.getByLabel('Kind').selectOption('grant')
  await finance.getByLabel('Opening balance').fill('£500.00')
  await finance.getByLabel(/^First financial year/).fill('2024/25')
  await checkPage(finance, 'funding-source-form', false)
  await finance.getByRole('button', { name: 'Add the funding source' }).click()
  await expect(finance.getByRole('heading', { name: 'Funding sources', level: 1 })).toBeVisible()
  expect(await cell(finance, 'funding-sources', 'Digital innovation grant', 'Remaining')).toBe('£500.00')

  // The reserve's opening balance cannot go below what is committed: the API's 409, in its words.
  await finance.getByRole('link', { name: `Change ${RESERVE}` }).click()
  await finance.getByLabel('Opening balance').fill('1000.00')
  await finance.getByRole('button', { name: 'Save the changes' }).click()
  await expect(finance.locator('.govuk-error-summary')).toContainText('the opening balance cannot be lower than that')
  await checkPage(finance, 'funding-source-conflict', false)

  const pm = await as(browser, 'pm@demo.test')
  await pm.goto('/drawdowns/new')
  await choose(pm, 'Project', DELEGATED_PROJECT)
  await choose(pm, 'Funding source', 'Digital innovation grant')
  await pm.getByLabel('Amount', { exact: true }).fill('600')
  await pm.getByLabel('Financial year').selectOption('2024/25')
  await expect(pm.getByTestId('route-preview')).toContainText('Delegated')
  await pm.getByLabel('Purpose').fill('Accessibility audit of the new website.')
  await pm.getByLabel('Approved business case').fill('OD business case BC-21')
  await pm.getByRole('button', { name: 'Send the request' }).click()
  const heading = pm.getByRole('heading', { name: /^Draw-down DD-\d{4}: £600\.00$/ })
  await expect(heading).toBeVisible()
  const url = pm.url()
  await pm.context().close()

  for (const consultee of [finance, await as(browser, 'member@demo.test')]) {
    await consultee.goto(url)
    await consultee.getByLabel('Supports', { exact: true }).check()
    if (consultee !== finance) await consultee.getByRole('group', { name: /conflict of interest/ }).getByLabel('No', { exact: true }).check()
    await consultee.getByRole('button', { name: 'Record my view' }).click()
    await expect(consultee.getByTestId('consultations')).toContainText('Supports')
  }
  const sponsor = await as(browser, 'sponsor@demo.test')
  await sponsor.goto(url)
  await sponsor.getByLabel(/^Approve £600\.00/).check()
  await sponsor.getByLabel('Reasons for the decision').fill('Within delegation.')
  await sponsor.getByLabel('Alternative options considered and rejected').fill('None.')
  await sponsor.getByRole('button', { name: 'Record the decision' }).click()
  await expect(sponsor.locator('.govuk-error-summary')).toContainText(
    "Approving £600.00 would overdraw 'Digital innovation grant': only £500.00 remains.",
  )
  await expect(sponsor.locator('.govuk-tag').getByText('Awaiting decision', { exact: true })).toBeVisible()
  await checkPage(sponsor, 'drawdown-overdraw', false)
  for (const context of browser.contexts()) await context.close()
})
