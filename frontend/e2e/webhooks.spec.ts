// Webhook subscriptions in the app: an administrator subscribes a system (an API client of the
// spec's own) to events, sees the signing secret once, changes the events, sends a test ping
// (queued: the browser's server runs no worker, so it waits to be sent), rotates the secret and
// deletes the subscription. Other roles are not offered the pages.
import { type Page, expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

/** Nothing scrolls sideways at 375 px (wide tables scroll in their own region). */
async function fitsAt375(page: Page): Promise<void> {
  await page.setViewportSize({ width: 375, height: 900 })
  expect(await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0)).toBeLessThanOrEqual(375)
  await page.setViewportSize({ width: 1280, height: 900 })
}

test('an administrator subscribes a system to events, pings it, rotates the secret and deletes it', async ({ page }) => {
  const mark = Date.now().toString(36)
  const client = `Performance dashboard ${mark}`
  const url = `https://integrations.example.gov.uk/pmo-${mark}`
  await signIn(page, 'admin@demo.test')

  // A system of the spec's own, holding the scopes its events need.
  await page.goto('/admin/api-clients')
  const register = page.locator('form').filter({ has: page.getByRole('button', { name: 'Register and show the secret' }) })
  await register.getByLabel('Name').fill(client)
  await register.getByLabel(/\(kpis:read\)$/).check()
  await register.getByLabel(/\(finance:read\)$/).check()
  await register.getByRole('button', { name: 'Register and show the secret' }).click()
  await expect(page.getByRole('heading', { name: `${client} is registered` })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Copy the secret' })).toBeVisible()
  await page.getByRole('link', { name: `Webhooks (0) of ${client}` }).click()
  await expect(page.getByRole('heading', { name: 'Webhook subscriptions', level: 1 })).toBeVisible()
  await expect(page.getByText(`Showing ${client}'s subscriptions.`)).toBeVisible()

  // The API refuses a plain-http, private address: its words at the field.
  await page.getByRole('link', { name: 'Add a subscription' }).click()
  await expect(page.getByRole('heading', { name: 'Add a subscription' })).toBeVisible()
  await expect(page.getByLabel('API client').locator('option:checked')).toHaveText(client)
  await page.getByLabel('Address (URL)').fill('http://127.0.0.1:9000/hook')
  await page.getByLabel(/^A KPI value is published/).check()
  await page.getByLabel('Description (optional)').fill('Performance dashboard: KPI tiles')
  const add = page.getByRole('button', { name: 'Add the subscription and show the secret' })
  await add.click()
  await expect(page.locator('#field-url-error')).toContainText('the URL must be https')
  await checkPage(page, 'webhook-form-errors')

  // Created: the secret shows once, with Copy.
  await page.getByLabel('Address (URL)').fill(url)
  await add.click()
  await expect(page.getByRole('heading', { name: `${client} is subscribed` })).toBeVisible()
  const secret = await page.getByTestId('signing-secret').innerText()
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/)
  await expect(page.getByRole('button', { name: 'Copy the secret' })).toBeVisible()
  await checkPage(page, 'webhook-created', false)
  await page.getByRole('link', { name: 'Go to the subscription' }).click()
  await expect(page.getByRole('heading', { name: `Subscription of ${client}` })).toBeVisible()
  await expect(page.getByText(secret)).toHaveCount(0)

  // Change its events (sent with If-Match).
  await page.getByRole('link', { name: 'Change the subscription' }).click()
  await expect(page.getByRole('heading', { name: 'Change the subscription' })).toBeVisible()
  await page.getByLabel(/^A draw-down is approved or rejected/).check()
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page.getByRole('heading', { name: `Subscription of ${client}` })).toBeVisible()
  await expect(page.locator('.govuk-summary-list')).toContainText('A draw-down is approved or rejected')

  // A test ping is queued; with no worker running it waits to be sent.
  await expect(page.getByText('Nothing has been sent yet', { exact: false })).toBeVisible()
  await page.getByRole('button', { name: 'Send a test ping' }).click()
  await expect(page.getByText('A test message is queued')).toBeVisible()
  const ping = page.getByTestId('webhook-deliveries').getByRole('row', { name: /A test message \(ping\)/ })
  await expect(ping).toContainText('Waiting to be sent')
  await expect(ping).toContainText('Not tried yet')
  await checkPage(page, 'webhook-subscription')
  await fitsAt375(page)

  // The list says the same.
  await page.getByRole('link', { name: 'Webhook subscriptions' }).click()
  const row = page.getByTestId('webhook-subscriptions').getByRole('row', { name: new RegExp(url) })
  await expect(row).toContainText('Waiting to be sent')
  await expect(row).toContainText('Enabled')
  await expect(row).toContainText('A draw-down is approved or rejected')
  await checkPage(page, 'webhook-subscriptions')
  await fitsAt375(page)

  // Rotate the secret (asked first): the new one shows once.
  await row.getByRole('link', { name: url }).click()
  await page.getByRole('button', { name: 'Rotate the secret' }).click()
  await page.getByRole('button', { name: 'Yes, make a new secret' }).click()
  await expect(page.getByRole('heading', { name: 'The subscription has a new secret' })).toBeVisible()
  const rotated = await page.getByTestId('signing-secret').innerText()
  expect(rotated).toMatch(/^whsec_/)
  expect(rotated).not.toEqual(secret)
  const grace = page.locator('.govuk-summary-list__row').filter({ hasText: 'Old secret also signs until' })
  await expect(grace).toContainText(/\d{4}/)

  // Delete (asked first): gone from the list, with its log.
  await page.getByRole('button', { name: 'Delete', exact: true }).click()
  await page.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('heading', { name: 'Webhook subscriptions', level: 1 })).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: /subscription/ })).toBeVisible()
  await expect(page.getByRole('link', { name: url })).toHaveCount(0)
})

test('a PMO officer is not offered the webhook pages', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await expect(page.getByRole('link', { name: 'Administration' })).toHaveCount(0)
  await page.goto('/admin/webhooks')
  await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Add a subscription' })).toHaveCount(0)
})
