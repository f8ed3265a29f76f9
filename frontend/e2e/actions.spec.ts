// The buttons on a record are the actions the API lists for the person asking
// (`allowed_actions`), not a guess from their roles. Read-only: it looks at the demo's
// draw-downs DD-0003 (in consultation, asked for by the project manager, waiting for the
// views of finance and a member) and DD-0002 (referred to Cabinet), and changes nothing.
import { type Browser, type Page, expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

const ACTIONS = /^(Record my view|Record the decision|Record the (Cabinet|Council) decision|Withdraw the request)$/

async function as(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await signIn(page, email)
  return page
}

async function open(page: Page, reference: string): Promise<void> {
  await page.goto('/drawdowns')
  await page.getByRole('link', { name: reference, exact: true }).click()
  await expect(page.getByRole('heading', { name: new RegExp(`^Draw-down ${reference}`) })).toBeVisible()
  await expect(page.getByTestId('next-step')).toBeVisible()
}

/** The action buttons the page offers, by name. */
async function buttons(page: Page): Promise<string[]> {
  const names = await page.getByRole('main').getByRole('button').allInnerTexts()
  return names.map((n) => n.trim()).filter((n) => ACTIONS.test(n))
}

test('a viewer sees no action on waiting draw-downs; each other person sees only what they may do', async ({ browser }) => {
  const viewer = await as(browser, 'viewer@demo.test')
  for (const reference of ['DD-0003', 'DD-0002']) {
    await open(viewer, reference)
    expect(await buttons(viewer), `the viewer's buttons on ${reference}`).toEqual([])
  }
  await checkPage(viewer, 'drawdown-viewer', false)

  // The finance officer is a consultee of DD-0003: they give a view; they do not decide it yet.
  const finance = await as(browser, 'finance@demo.test')
  await open(finance, 'DD-0003')
  expect(await buttons(finance)).toEqual(['Record my view'])
  await checkPage(finance, 'drawdown-consultee', false)

  // The requester may withdraw their request, and is never consulted on it.
  const pm = await as(browser, 'pm@demo.test')
  await open(pm, 'DD-0003')
  expect(await buttons(pm)).toEqual(['Withdraw the request'])

  // Democratic services record the Cabinet decision on the referred request, and nothing else.
  const democratic = await as(browser, 'democratic@demo.test')
  await open(democratic, 'DD-0002')
  expect(await buttons(democratic)).toEqual(['Record the Cabinet decision'])
  await open(democratic, 'DD-0003')
  expect(await buttons(democratic)).toEqual([])
})
