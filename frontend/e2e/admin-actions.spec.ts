// Buttons that follow `allowed_actions`, and the administrator's new invitation link.
import { expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

test('a new invitation link replaces the old one, which is then refused', async ({ page, browser }) => {
  const email = `relinked-${Date.now()}@demo.test`
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/users')
  const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite' }) })
  await invite.getByLabel('Email address').fill(email)
  await invite.getByLabel('Name').fill('Robin Relinked')
  await invite.getByLabel('Viewer').check()
  await invite.getByRole('button', { name: 'Invite' }).click()
  const first = await page.getByTestId('invitation-url').innerText()

  // The link was lost: the administrator finds the person and asks for a new one.
  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`)
  await page.getByRole('button', { name: 'New invitation link for Robin Relinked' }).click()
  await expect(page.getByRole('heading', { name: 'A new link for Robin Relinked' })).toBeVisible()
  const second = await page.getByTestId('invitation-url').innerText()
  expect(second).toMatch(/\/invitations\/[A-Za-z0-9_-]{40,}$/)
  expect(second).not.toEqual(first)
  await checkPage(page, 'admin-invitation-new-link')

  const old = await (await browser.newContext()).newPage()
  await old.goto(first)
  await expect(old.getByRole('heading', { name: 'This invitation link cannot be used' })).toBeVisible()
  await old.close()
  const fresh = await (await browser.newContext()).newPage()
  await fresh.goto(second)
  await expect(fresh.getByRole('heading', { name: 'Set your password' })).toBeVisible()
  await fresh.close()
})

test('on the users page an error link leads to the field in its own form, not the invitation form above it', async ({ page }) => {
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/users')
  // Both forms ask for an email address and a name; each label finds its own form's box.
  const add = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add the user' }) })
  const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite' }) })
  await add.getByLabel('Email address').fill('not an email address')
  await add.getByLabel('Name').fill('Nadia Nowhere')
  await add.getByLabel('First password').fill('kettle orchard lantern')
  await add.getByRole('button', { name: 'Add the user' }).click()
  const summary = page.locator('.govuk-error-summary')
  await expect(summary).toBeFocused()
  await checkPage(page, 'admin-users-add-errors', false)
  const link = summary.getByRole('link').first()
  const email = add.getByLabel('Email address')
  expect(await link.getAttribute('href')).toBe(`#${await email.getAttribute('id')}`)
  await expect(email).toHaveAttribute('aria-describedby', `${await email.getAttribute('id')}-error`)
  await link.click()
  await expect(email).toBeFocused()
  await expect(email).toHaveValue('not an email address')
  await expect(invite.getByLabel('Email address')).toHaveValue('')
})

test('a finance officer may change a funding source; a viewer sees it without the button', async ({ page, browser }) => {
  await signIn(page, 'finance@demo.test')
  await page.goto('/funding-sources')
  const table = page.getByTestId('funding-sources')
  await expect(table.getByRole('link', { name: /^Change / }).first()).toBeVisible()
  await checkPage(page, 'funding-sources-finance', false)
  await table.getByRole('link', { name: /^Change / }).first().click()
  await expect(page).toHaveURL(/\/funding-sources\/[0-9a-f-]+\/edit/)

  const viewer = await (await browser.newContext()).newPage()
  await signIn(viewer, 'viewer@demo.test')
  await viewer.goto('/funding-sources')
  await expect(viewer.getByTestId('funding-sources')).toBeVisible()
  await expect(viewer.getByTestId('funding-sources').getByRole('link', { name: /^Change / })).toHaveCount(0)
  await expect(viewer.getByRole('link', { name: 'Add a funding source' })).toHaveCount(0)
  await checkPage(viewer, 'funding-sources-viewer', false)
  await viewer.close()
})
