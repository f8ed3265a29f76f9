// Keeping records and people: RAID actions on a risk, inviting a person, changing a password.
// Every record here is this spec's own (new risks, a new person), so other specs' demo data
// is untouched.
import { type APIRequestContext, type Page, expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

async function bearer(request: APIRequestContext, email: string): Promise<Record<string, string>> {
  const response = await request.post('/api/v1/auth/token', {
    form: { grant_type: 'password', username: email, password: 'demo-password' },
  })
  expect(response.ok()).toBeTruthy()
  return { Authorization: `Bearer ${(await response.json()).access_token}` }
}

/** A new open risk on a demo project the PMO looks after. */
async function newRisk(request: APIRequestContext, title: string): Promise<string> {
  const headers = await bearer(request, 'pmo@demo.test')
  const projects = await request.get('/api/v1/projects', { headers, params: { limit: 1, sort: 'reference' } })
  const project = (await projects.json()).items[0]
  const created = await request.post('/api/v1/risks', {
    headers,
    data: { project_id: project.id, title, category: 'technical', nature: 'threat', inherent_likelihood: 2, inherent_impact: 3 },
  })
  expect(created.status(), await created.text()).toBe(201)
  return (await created.json()).id
}

async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
}

test('a PMO officer escalates a risk to the programme, and turns one that happened into an issue', async ({ page, request }) => {
  const escalated = await newRisk(request, 'Data centre lease not renewed')
  const happened = await newRisk(request, 'Supplier enters administration')
  await signIn(page, 'pmo@demo.test')

  await page.goto(`/risks/${escalated}/edit`)
  const actions = page.getByTestId('risk-actions')
  await expect(actions.getByTestId('escalation-level')).toHaveText('Project')
  // The API's refusal is shown at the field: a reason is required.
  await actions.getByLabel('Programme board').check()
  await actions.getByRole('button', { name: 'Change the level' }).click()
  await expect(actions.locator('#escalate-field-reason-error')).toBeVisible()
  // The summary's link leads into the form that failed (the close form has a Reason too).
  await actions.locator('.govuk-error-summary').getByRole('link', { name: /reason/i }).click()
  await expect(actions.getByLabel('Reason', { exact: true })).toBeFocused()
  await checkPage(page, 'upkeep-risk-actions-error', false)
  await actions.getByLabel('Reason', { exact: true }).fill('The board must approve the extra hosting cost.')
  await actions.getByRole('button', { name: 'Change the level' }).click()
  await expect(page.getByTestId('raid-action-done')).toContainText('escalated to the programme board')
  await expect(page.getByTestId('escalation-level')).toHaveText('Programme board')
  await expect(page.getByTestId('history')).toContainText('The board must approve the extra hosting cost.')
  await checkPage(page, 'upkeep-risk-actions')

  await page.goto(`/risks/${happened}/edit`)
  const form = page.getByTestId('risk-actions')
  await form.getByLabel('What happened').fill('The supplier went into administration on Monday; deliveries stopped.')
  await form.getByLabel('Priority').selectOption('high')
  await form.getByLabel('Severity').selectOption('critical')
  await form.getByRole('button', { name: 'Raise the issue and close the risk' }).click()
  await expect(page).toHaveURL(/\/issues\/[0-9a-f-]+\/edit/)
  await expect(page.getByLabel('Title')).toHaveValue('Supplier enters administration')
  await checkPage(page, 'upkeep-issue-from-risk', false)
  // The issue escalates from its own page; a refusal is shown in the escalation's form, whose
  // ids do not clash with the issue's own form on the same page.
  const escalation = page.getByTestId('item-escalation')
  await escalation.getByLabel('Programme board').check()
  await escalation.getByRole('button', { name: 'Change the level' }).click()
  await expect(escalation.locator('#escalate-field-reason-error')).toBeVisible()
  await checkPage(page, 'upkeep-issue-escalation-error', false)
  await escalation.getByLabel('Reason').fill('Three projects take deliveries from this supplier.')
  await escalation.getByRole('button', { name: 'Change the level' }).click()
  await expect(page.getByTestId('raid-action-done')).toContainText('escalated to the programme board')
  await expect(escalation.getByTestId('escalation-level')).toHaveText('Programme board')
  await page.goto(`/risks/${happened}/edit`)
  await expect(page.getByTestId('risk-actions')).toContainText('it occurred and became an issue')
})

test('an administrator invites a person, who sets a password from the link, signs in and changes it', async ({ page, browser }) => {
  const email = `invitee-${Date.now()}@demo.test`
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/users')
  const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite' }) })
  await invite.getByRole('button', { name: 'Invite' }).click()
  await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await invite.getByLabel('Email address').fill(email)
  await invite.getByLabel('Name').fill('Priya Shah')
  await invite.getByLabel('PMO officer').check()
  await invite.getByRole('button', { name: 'Invite' }).click()
  const link = await page.getByTestId('invitation-url').innerText()
  expect(link).toMatch(/\/invitations\/[A-Za-z0-9_-]{40,}$/)
  await expect(page.getByRole('table', { name: 'Users' })).toContainText(email)
  await checkPage(page, 'upkeep-invite')

  // The invitee, in a browser of their own, opens the copied link.
  const invitee = await (await browser.newContext()).newPage()
  await invitee.goto(link)
  await expect(invitee.getByRole('heading', { name: 'Set your password' })).toBeVisible()
  await expect(invitee.getByText(email)).toBeVisible()
  await invitee.getByLabel('Password', { exact: true }).fill('password')
  await invitee.getByLabel('Confirm password').fill('password')
  await invitee.getByRole('button', { name: 'Set password' }).click()
  await expect(invitee.locator('#field-password-error')).toBeVisible()
  await checkPage(invitee, 'upkeep-invitation-error', false)
  await invitee.getByLabel('Password', { exact: true }).fill('kettle orchard lantern')
  await invitee.getByLabel('Confirm password').fill('kettle orchard lantern')
  await checkPage(invitee, 'upkeep-invitation')
  await invitee.getByRole('button', { name: 'Set password' }).click()
  await expect(invitee.getByTestId('sign-in-notice')).toContainText('Your password is set')
  await signInWith(invitee, email, 'kettle orchard lantern')

  // A second use of the link is refused plainly.
  const again = await (await browser.newContext()).newPage()
  await again.goto(link)
  await expect(again.getByRole('heading', { name: 'This invitation link cannot be used' })).toBeVisible()
  await expect(again.getByTestId('invitation-problem')).toContainText('already been used')
  await checkPage(again, 'upkeep-invitation-used')
  await again.close()

  // The person changes their own password from the account page, and signs in again.
  await invitee.getByRole('link', { name: 'Priya Shah' }).click()
  await invitee.getByRole('link', { name: 'Change your password' }).click()
  await expect(invitee.getByRole('heading', { name: 'Change your password' })).toBeVisible()
  await invitee.getByLabel('Current password').fill('not my password')
  await invitee.getByLabel('New password', { exact: true }).fill('harbour violet compass')
  await invitee.getByLabel('Confirm new password').fill('harbour violet compass')
  await invitee.getByRole('button', { name: 'Change password' }).click()
  await expect(invitee.locator('#field-current_password-error')).toContainText('not right')
  await checkPage(invitee, 'upkeep-change-password-error', false)
  await invitee.getByLabel('Current password').fill('kettle orchard lantern')
  await checkPage(invitee, 'upkeep-change-password')
  await invitee.getByRole('button', { name: 'Change password' }).click()
  await expect(invitee.getByTestId('sign-in-notice')).toContainText('Your password has been changed')
  await checkPage(invitee, 'upkeep-signed-out-after-change', false)
  await signInWith(invitee, email, 'harbour violet compass')
  await invitee.close()
})
