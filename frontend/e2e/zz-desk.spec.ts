import { type Browser, type Page, expect, test } from '@playwright/test'
import { expectAccessible, signIn } from './helpers'

// Made for the desk and the committee room (issue 14, item 10), on every page the navigation
// reaches, as the four roles of a working day: each menu page and every page one link from it
// (one of each kind: a risk stands for every risk). Only reads: runs last ("zz") and changes
// nothing other specs use.
//
// On each page: no "None", "null", "undefined", "NaN" or raw code ("project_manager") shown;
// nothing wider than a 375 px screen; tables as wide as their column on a 1800 px screen,
// with the content more than 960 px wide; printed without the service navigation; axe clean.
// Cheap: pages open inside the app (no reload), and a kind of page linked from the menu is
// walked by the first role that reaches it (each role walks its own menu pages).

const ROLES = ['pmo@demo.test', 'pm@demo.test', 'finance@demo.test', 'democratic@demo.test']
const ADMIN_PAGES = ['/admin/users', '/admin/roles', '/admin/directorates', '/admin/api-clients', '/admin/identity-provider', '/admin/decisions', '/admin/organisation', '/admin/lifecycles']
// Links that are not pages of the app: the API (documents, downloads) and one-time links.
const NOT_PAGES = /^\/(api|invitations)\//

/** The kind of page an address is: ids and references replaced, the query dropped. */
function kind(path: string): string {
  return path
    .split('?')[0]!
    .split('/')
    .map((part) => (/^[0-9a-f-]{32,36}$/i.test(part) || /^[A-Z]+-\d+$/.test(part) ? ':id' : part))
    .join('/')
}

/** Opens an address inside the app, as its own links do (no page load). */
async function open(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    history.pushState(null, '', to)
    dispatchEvent(new PopStateEvent('popstate'))
  }, path)
  await settled(page)
}

async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))
  await expect(page.locator('main h1').first()).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: /Loading/ })).toHaveCount(0)
}

/** The app's own links in the page's content and its navigation. */
async function links(page: Page): Promise<string[]> {
  const hrefs = await page.locator('main a[href^="/"]:not([download]), nav a[href^="/"]').evaluateAll((all) =>
    all.map((a) => a.getAttribute('href') ?? ''),
  )
  return hrefs.filter((href) => !NOT_PAGES.test(href) && !href.startsWith('//'))
}

/** What a person should never read: an empty value or a code where words belong. */
async function codesShown(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    const roles = new Set(['admin', 'pmo', 'sponsor', 'project_manager', 'finance', 'member', 'democratic_services', 'viewer'])
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      if (!parent || parent.closest('script, style, code, pre, [hidden]') || !parent.checkVisibility()) continue
      const text = (node.textContent ?? '').trim()
      if (!text) continue
      const cell = parent.closest('td, th, dd, li, option')
      if (
        /^(None|null|undefined|NaN|Invalid Date)$/.test(text) ||
        /\b(undefined|NaN|null)\b|\[object Object\]|£NaN/.test(text) ||
        /\b[a-z]+_[a-z_]+\b/.test(text) || // snake_case: an enum's code, not its words
        (cell && cell.textContent?.trim() === text && roles.has(text))
      ) {
        found.push(`"${text.slice(0, 80)}" in <${parent.tagName.toLowerCase()}>`)
      }
    }
    return found
  })
}

/** Every check of item 10 on the page open now, at 1280 px; the faults found, in words. */
async function faults(page: Page): Promise<string[]> {
  const found = (await codesShown(page)).map((f) => `shows ${f}`)
  await page.setViewportSize({ width: 375, height: 900 })
  // Charts follow the new width a few frames later.
  const phone = await page.evaluate(async () => {
    for (let frame = 0; frame < 30 && document.documentElement.scrollWidth > 375; frame++) {
      await new Promise((done) => requestAnimationFrame(done))
    }
    return document.documentElement.scrollWidth
  })
  if (phone > 375) found.push(`${phone}px wide on a 375px screen`)
  await page.setViewportSize({ width: 1800, height: 900 })
  const desk = await page.evaluate(() => {
    const main = document.querySelector('main')?.getBoundingClientRect().width ?? 0
    // Data tables; not a chart's table for screen readers, nor the heat map's grid of cells.
    const narrow = [...document.querySelectorAll('main table:not(.app-heatmap)')]
      .filter((t) => (t as HTMLElement).checkVisibility() && !t.closest('.govuk-visually-hidden'))
      .map((t) => ({ table: t.getBoundingClientRect().width, column: t.parentElement?.getBoundingClientRect().width ?? 0 }))
      .filter(({ table, column }) => table < column - 2)
    return { main, narrow }
  })
  if (desk.main <= 960) found.push(`content ${desk.main}px wide on a 1800px screen`)
  for (const { table, column } of desk.narrow) found.push(`a table ${table}px wide in a ${column}px column at 1800px`)
  await page.emulateMedia({ media: 'print' })
  const printed = await page.evaluate(() =>
    ['.govuk-service-navigation', '.app-header__account', 'footer', '.govuk-skip-link'].filter((selector) =>
      [...document.querySelectorAll(selector)].some((e) => getComputedStyle(e).display !== 'none'),
    ),
  )
  for (const selector of printed) found.push(`prints ${selector}`)
  await page.emulateMedia({ media: 'screen' })
  await page.setViewportSize({ width: 1280, height: 900 })
  return found
}

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await signIn(page, email)
  return page
}

const walked = new Set<string>() // kinds of page linked from a menu, by any role so far

for (const email of ROLES) {
  test(`every page the navigation reaches reads well for ${email}: words not codes, phone, desk, print, axe`, async ({
    browser,
  }) => {
    test.setTimeout(600_000)
    const page = await as(browser, email)
    // Administration is neither linked nor usable.
    await expect(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Administration' })).toHaveCount(0)
    for (const path of ADMIN_PAGES) {
      await open(page, path)
      await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
      await expect(page.locator('main table, main form')).toHaveCount(0)
    }
    await open(page, '/')
    const menu = await page
      .getByRole('navigation', { name: 'Menu' })
      .getByRole('link')
      .evaluateAll((all) => all.map((a) => a.getAttribute('href') ?? ''))
    // Breadth first: the menu's pages, then one page of each kind linked from them.
    const queue: [string, number][] = menu.map((href) => [href, 0])
    const seen = new Set([...walked, ...menu.map(kind)])
    const report: string[] = []
    let pages = 0
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [path, depth] = next
      await open(page, path)
      pages += 1
      for (const fault of await faults(page)) report.push(`${path}: ${fault}`)
      const violations = await expectAccessible(page, path).then(
        () => null,
        (error: Error) => error.message.split('\n')[0],
      )
      if (violations) report.push(`${path}: axe ${violations}`)
      if (depth > 0) continue
      for (const href of await links(page)) {
        if (seen.has(kind(href))) continue
        seen.add(kind(href))
        walked.add(kind(href))
        queue.push([href, depth + 1])
      }
    }
    console.log(`${email}: ${pages} pages walked`)
    expect(report, `${email}: pages that do not read well`).toEqual([])
    expect(pages).toBeGreaterThan(menu.length)
    await page.context().close()
  })
}
