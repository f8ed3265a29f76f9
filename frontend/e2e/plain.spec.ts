import { type Browser, type Page, expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SCREENSHOTS, checkPage, expectAccessible, fillDate, signIn } from './helpers'

// Forms that speak plainly (issue 14, item 6) and pages made for the desk and the committee
// room (item 10), seen in Chromium on the demo.

const PROJECT = 'Integration of housing into customer services functions'
const RESERVE = 'Service Redesign Reserve'

async function as(browser: Browser, email: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } })
  const page = await context.newPage()
  await signIn(page, email)
  return page
}

async function choose(page: Page, label: string, text: string): Promise<void> {
  const select = page.getByLabel(label, { exact: true })
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value')
  await select.selectOption(value as string)
}

/** The request form filled in, in a year no other journey uses (the last one offered). */
async function startRequest(pm: Page, amount: string): Promise<string> {
  await pm.goto('/drawdowns/new')
  await expect(pm.getByRole('heading', { name: 'Request a draw-down' })).toBeVisible()
  await choose(pm, 'Project', PROJECT)
  await choose(pm, 'Funding source', RESERVE)
  const years = await pm.getByLabel('Financial year').locator('option').allInnerTexts()
  const year = years[years.length - 1] as string
  await pm.getByLabel('Financial year').selectOption(year)
  await pm.getByLabel('Amount', { exact: true }).fill(amount)
  return year
}

function isoDaysFromToday(days: number): string {
  const day = new Date()
  day.setDate(day.getDate() + days)
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`
}

test('a bad amount, the pending requests and a future Cabinet date, in plain words by their fields', async ({ browser }) => {
  test.slow()
  const pm = await as(browser, 'pm@demo.test')
  await startRequest(pm, 'forty thousand')
  await pm.getByLabel('Purpose').fill('Systems and training for the housing contact centre.')
  await pm.getByLabel('Approved business case').fill('Cabinet report on housing integration, para 4.2')
  await pm.getByRole('button', { name: 'Send the request' }).click()
  const message = 'Enter an amount in pounds and pence, like 49,999.99'
  await expect(pm.locator('#field-amount-error')).toContainText(message)
  await expect(pm.locator('.govuk-error-summary').getByRole('link', { name: message })).toHaveAttribute('href', '#field-amount')
  await expect(pm.locator('.govuk-error-summary')).not.toContainText(/Input should|Value error|amount: /i)
  await checkPage(pm, 'plain-amount-error')

  // A request of £40,000 waits for its consultation...
  await pm.getByLabel('Amount', { exact: true }).fill('40000')
  await pm.getByRole('button', { name: 'Send the request' }).click()
  const heading = pm.getByRole('heading', { name: /^Draw-down DD-\d{4}: £40,000\.00$/ })
  await expect(heading).toBeVisible()
  const pending = ((await heading.innerText()).match(/DD-\d{4}/) ?? [''])[0]
  // ...so a second one of £20,000 is within delegation alone, but not with it.
  await startRequest(pm, '20000')
  const note = pm.getByTestId('route-pending')
  await expect(note).toContainText(`With the pending request ${pending} this brings the year to £60,000.00: Cabinet decides.`)
  await checkPage(pm, 'plain-pending-preview')

  // A request for Cabinet, whose decision cannot be recorded before the meeting.
  await pm.getByLabel('Amount', { exact: true }).fill('75000')
  await pm.getByLabel('Purpose').fill('Integration of the housing contact centre: the second phase.')
  await pm.getByLabel('Approved business case').fill('Cabinet report on housing integration, para 4.3')
  await pm.getByRole('button', { name: 'Send the request' }).click()
  const referredHeading = pm.getByRole('heading', { name: /^Draw-down DD-\d{4}: £75,000\.00$/ })
  await expect(referredHeading).toBeVisible()
  const address = pm.url()
  await pm.context().close()

  const democratic = await as(browser, 'democratic@demo.test')
  await democratic.goto(address)
  await expect(democratic.getByRole('heading', { name: /£75,000\.00$/ })).toBeVisible()
  await fillDate(democratic, 'Meeting date', isoDaysFromToday(2))
  await democratic.getByLabel('Minute reference').fill('CAB 99/26')
  await democratic.getByLabel(/^Approved: commit £75,000\.00/).check()
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  const future = 'Meeting date must be today or in the past'
  await expect(democratic.locator('#field-meeting_date-error')).toContainText(future)
  await expect(democratic.locator('.govuk-error-summary').getByRole('link', { name: future })).toHaveAttribute('href', '#field-meeting_date')
  // The summary's link lands on the day box of the date input.
  await democratic.locator('.govuk-error-summary').getByRole('link', { name: future }).click()
  await expect(democratic.getByRole('group', { name: 'Meeting date' }).getByLabel('Day')).toBeFocused()
  await expect(democratic.locator('.govuk-tag').getByText('Referred', { exact: true })).toBeVisible()
  await checkPage(democratic, 'plain-cabinet-date-error')
  // A date that is not a real one.
  await fillDate(democratic, 'Meeting date', '2026-02-30')
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  await expect(democratic.locator('#field-meeting_date-error')).toContainText('Meeting date must be a real date')
  await democratic.context().close()
})

// The main pages of each role, as a person on a phone opens them.
const MAIN_PAGES = ['/', '/portfolio', '/projects', '/kpis', '/drawdowns', '/funding-sources', '/forward-plan', '/officer-decisions', '/portfolio/finance']

/** The address of the first link in the page's content that starts with `prefix`. */
async function firstLink(page: Page, from: string, prefix: string): Promise<string> {
  await page.goto(from)
  const link = page.locator(`main a[href^="${prefix}"]`).first()
  await expect(link).toBeVisible()
  return (await link.getAttribute('href')) as string
}

test('at 375 px no main page scrolls sideways', async ({ browser }) => {
  test.slow()
  const page = await as(browser, 'pmo@demo.test', 375)
  const programme = await firstLink(page, '/portfolio', '/programmes/')
  const project = await firstLink(page, '/projects', '/projects/')
  const kpi = await firstLink(page, '/kpis', '/kpis/')
  const wide: string[] = []
  for (const path of [...MAIN_PAGES, programme, project, `${project}?tab=risks`, kpi]) {
    await page.goto(path)
    await expect(page.locator('main h1').first()).toBeVisible()
    await expect(page.getByRole('status').filter({ hasText: /Loading/ })).toHaveCount(0)
    const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0)
    if (width > 375) wide.push(`${path}: ${width}px`)
  }
  expect(wide, 'pages wider than the screen').toEqual([])
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
  await checkPage(page, 'plain-home')
  await page.context().close()
})

test('at 1800 px the data tables use the width; role names and empty values are words', async ({ browser }) => {
  const page = await as(browser, 'pmo@demo.test', 1800)
  await page.goto('/projects')
  const table = page.locator('main table').first()
  await expect(table).toBeVisible()
  const box = await table.boundingBox()
  expect(box?.width ?? 0, 'the projects table on a 1800 px screen').toBeGreaterThan(1500)
  await expectAccessible(page, 'projects at 1800 px')
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, 'plain-projects-1800.png') })

  // A programme's scorecard and a KPI page: an empty target or baseline is never "None".
  const programme = await firstLink(page, '/portfolio', '/programmes/')
  await page.goto(programme)
  await expect(page.locator('main h1')).toBeVisible()
  await expect(page.locator('main')).not.toContainText(/\bNone\b(?! of| recorded)/)
  await page.goto('/kpis')
  const kpi = await firstLink(page, '/kpis', '/kpis/')
  await page.goto(kpi)
  await expect(page.locator('main h1')).toBeVisible()
  await expect(page.locator('main')).not.toContainText(/\bNone\b(?! of| recorded)/)
  await page.context().close()

  // Role names in words on the administrator's pages.
  const admin = await as(browser, 'admin@demo.test')
  await admin.goto('/admin/roles')
  await expect(admin.locator('main table').first()).toContainText('Finance officer')
  await expect(admin.locator('main table').first()).not.toContainText(/\bfinance\b|democratic_services|project_manager/)
  await checkPage(admin, 'plain-admin-roles')
  await admin.context().close()
})

test('administration is neither linked nor usable without the administrator role', async ({ browser }) => {
  const pmo = await as(browser, 'pmo@demo.test')
  await expect(pmo.getByRole('link', { name: 'Administration' })).toHaveCount(0)
  for (const path of ['/admin/users', '/admin/roles', '/admin/directorates', '/admin/decisions']) {
    await pmo.goto(path)
    await expect(pmo.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
    await expect(pmo.locator('main')).toContainText('These pages are for administrators')
    await expect(pmo.locator('main table')).toHaveCount(0)
  }
  await pmo.context().close()
  const admin = await as(browser, 'admin@demo.test')
  await admin.getByRole('link', { name: 'Administration' }).click()
  await expect(admin.getByRole('heading', { level: 1 })).toContainText(/Users/)
  await admin.context().close()
})

test('a printed page has no navigation, and prints its tables whole', async ({ browser }) => {
  const page = await as(browser, 'pmo@demo.test')
  await page.goto('/portfolio')
  await expect(page.locator('main h1')).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: /Loading/ })).toHaveCount(0)
  const dir = mkdtempSync(join(tmpdir(), 'pmo-print-'))
  try {
    const pdf = join(dir, 'portfolio.pdf')
    writeFileSync(pdf, await page.pdf({ format: 'A4', printBackground: true }))
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    expect(text).toContain('Portfolio')
    for (const menu of ['Sign out', 'Skip to main content', 'My work', 'API documentation']) {
      expect(text, `"${menu}" printed`).not.toContain(menu)
    }
    mkdirSync(SCREENSHOTS, { recursive: true })
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', pdf, join(SCREENSHOTS, 'plain-printed-portfolio')])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // The print layout: the tables are not cut by a scrolling region.
  await page.emulateMedia({ media: 'print' })
  const overflow = await page.evaluate(() => [...document.querySelectorAll('.app-scroll')].map((e) => getComputedStyle(e).overflowX))
  expect(overflow.every((o) => o === 'visible')).toBe(true)
  await expect(page.locator('.govuk-service-navigation')).toBeHidden()
  await page.context().close()
})
