import { expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

// The demo's report risks are the portfolio's, with response actions for pmo@demo.test due
// in 2022 and still open (backend/pmo/raid/demo.py): overdue today.
const ACTION = 'Review the programme to make sure it remains fit for purpose.'

test('my work lists my risk actions due, overdue in words, linked to where the risk is', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await expect(page.getByRole('heading', { name: 'My actions due' })).toBeVisible()
  const row = page.getByTestId('actions-due').locator('tbody tr').filter({ hasText: ACTION })
  await expect(row).toHaveCount(1)
  await expect(row.getByText('Overdue')).toBeVisible()
  // An action without a due date is not listed.
  await expect(page.getByTestId('actions-due')).not.toContainText('PMO oversight of progress made against the programme.')
  await checkPage(page, 'home-actions-due')
  await row.getByRole('link').click()
  await expect(page).toHaveURL(/\/portfolio$/)
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
})

test('someone with no risk actions is told so', async ({ page }) => {
  await signIn(page, 'viewer@demo.test')
  await expect(page.getByText('None of your risk actions are due in the next 30 days or overdue.')).toBeVisible()
})
