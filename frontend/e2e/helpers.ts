import AxeBuilder from '@axe-core/playwright'
import { type Locator, type Page, expect } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

export const PASSWORD = 'demo-password'
export const SCREENSHOTS = resolve(here, '..', 'screenshots')

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
}

/** axe-core on the page as it is now: WCAG 2.0-2.2 A and AA, zero violations; and no id used twice. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze()
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
  expect(summary, `axe violations on ${what}`).toEqual([])
  // axe no longer looks for these (WCAG 2.2 dropped 4.1.1), but a label, an error summary's link
  // or aria-describedby whose id is used twice leads to the first element with it: often the
  // wrong form's field (two forms with a field of the same name need an IdPrefix each).
  const duplicates = await page.evaluate(() => {
    const counts = new Map<string, number>()
    for (const element of document.querySelectorAll('[id]')) counts.set(element.id, (counts.get(element.id) ?? 0) + 1)
    return [...counts].filter(([, count]) => count > 1).map(([id, count]) => `${id} (${count} times)`)
  })
  expect(duplicates, `ids used more than once on ${what}`).toEqual([])
}

/** The page at 1280 px and 375 px wide, into frontend/screenshots/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const original = page.viewportSize() ?? { width: 1280, height: 900 }
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 })
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true })
  }
  await page.setViewportSize(original)
}

/** Every page of a journey: checked with axe, and photographed when it is a main page. */
export async function checkPage(page: Page, name: string, photograph = true): Promise<void> {
  await expect(page.getByRole('status').filter({ hasText: /Loading/ })).toHaveCount(0)
  await expectAccessible(page, name)
  if (photograph) await screenshots(page, name)
}

/** A table's cell by its row heading and column heading. */
export async function cell(page: Page, tableTestId: string, row: string, column: string): Promise<string> {
  const table = page.getByTestId(tableTestId)
  await expect(table).toBeVisible()
  const headers = await table.locator('thead th').allInnerTexts()
  const index = headers.findIndex((h) => h.trim() === column)
  expect(index, `column ${column} in ${headers.join('|')}`).toBeGreaterThan(0)
  const tableRow = table.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: row }) })
  return (await tableRow.locator('th, td').nth(index).innerText()).trim()
}

/** Types an ISO date (2026-03-31) into the GOV.UK date input named by its legend. */
export async function fillDate(scope: Page | Locator, legend: string | RegExp, iso: string): Promise<void> {
  const group = scope.getByRole('group', { name: legend, exact: typeof legend === 'string' })
  const [year = '', month = '', day = ''] = iso.split('-')
  await group.getByLabel('Day').fill(String(Number(day)))
  await group.getByLabel('Month').fill(String(Number(month)))
  await group.getByLabel('Year').fill(year)
}
