import { expect, test } from '@playwright/test'
import { cell, checkPage, signIn } from './helpers'

const TELEPHONY = 'Re-procure the contact centre telephony system'
const LEISURE = 'Replace the Leisure Management System'

test('the PMO finds a project and reads its RAID log', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await checkPage(page, 'home')

  await page.getByRole('link', { name: 'Portfolio', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Portfolio dashboard' })).toBeVisible()
  await expect(page.getByTestId('heat-map')).toBeVisible()
  await checkPage(page, 'portfolio-dashboard')

  await page.getByRole('link', { name: 'Projects', exact: true }).click()
  await page.getByLabel('Name or reference').fill('telephony')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  // The filters are in the address bar: the view can be shared.
  await expect(page).toHaveURL(/[?&]q=telephony/)
  await expect(page.getByRole('status').filter({ hasText: /^2 projects$/ })).toBeVisible()
  await page.getByLabel('Stage').selectOption({ label: 'Delivery' })
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page).toHaveURL(/stage=delivery/)
  await expect(page.getByRole('status').filter({ hasText: /^1 project$/ })).toBeVisible()
  await checkPage(page, 'projects-filtered')

  // Sorting is the server's too, and keeps the filter.
  await page.getByRole('link', { name: /^Name/ }).click()
  await expect(page).toHaveURL(/q=telephony/)
  await expect(page).toHaveURL(/sort=name/)

  await page.getByRole('link', { name: TELEPHONY }).click()
  await expect(page.getByRole('heading', { name: TELEPHONY })).toBeVisible()
  await checkPage(page, 'project')

  await page.getByRole('link', { name: 'Risks', exact: true }).click()
  await expect(page).toHaveURL(/tab=risks/)
  const risks = page.getByRole('table', { name: 'Risk log' })
  await expect(risks.locator('tbody tr')).not.toHaveCount(0)
  await expect(risks).toContainText(/R-\d{4}/)
  await checkPage(page, 'project-risks')

  await page.getByRole('link', { name: 'Issues', exact: true }).click()
  await expect(page.getByRole('table', { name: 'Issue log' })).toContainText(/I-\d{4}/)
  await checkPage(page, 'project-issues', false)

  for (const tab of ['Assumptions', 'Dependencies', 'Stages and gate reviews', 'Milestones', 'Change history']) {
    await page.getByRole('link', { name: tab, exact: true }).click()
    await expect(page.getByRole('heading', { name: tab, level: 2 })).toBeVisible()
    await checkPage(page, `project-${tab}`, false)
  }

  // A reload keeps the session (the refresh cookie) and the page.
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Change history', level: 2 })).toBeVisible()
})

test('a project manager requests a gate review, the sponsor approves it, the dashboard moves', async ({ browser }) => {
  // Two people, two browser contexts: separate cookies, separate sessions.
  const pmContext = await browser.newContext()
  const pm = await pmContext.newPage()
  await signIn(pm, 'pm@demo.test')
  await pm.goto('/projects?q=Leisure%20Management')
  await pm.getByRole('link', { name: LEISURE }).click()
  await expect(pm.getByRole('heading', { name: LEISURE })).toBeVisible()
  const from = (await pm.getByTestId('project-stage').innerText()).trim()
  const programme = (await pm.locator('.govuk-caption-l a').innerText()).trim()

  await pm.goto('/portfolio')
  const before = { from: Number(await cell(pm, 'programmes-by-stage', programme, from)) }

  await pm.goBack()
  await pm.getByRole('link', { name: 'Request a gate review' }).click()
  await expect(pm.getByRole('heading', { name: 'Request a gate review' })).toBeVisible()
  await checkPage(pm, 'gate-review-request')

  // Sending with nothing filled in: the error summary and inline messages, nothing lost.
  await pm.getByRole('button', { name: 'Send the request' }).click()
  const summary = pm.locator('.govuk-error-summary')
  await expect(summary).toBeVisible()
  await expect(summary).toBeFocused()
  await checkPage(pm, 'gate-review-request-errors', false)
  await summary.getByRole('link').first().click()

  await pm.getByLabel('Summary').fill('Discovery done: options appraised and a preferred supplier route agreed.')
  for (const box of await pm.locator('textarea[id^="field-answers"]').all()) {
    await box.fill('Yes: see the discovery report of June 2022.')
  }
  for (const box of await pm.locator('textarea[id^="field-business_case"]').all()) {
    await box.fill('Set out in the discovery report.')
  }
  // The access token has expired by the time the form is sent: the app refreshes it from the
  // cookie and sends the same request again; nothing typed is lost.
  let expired = 0
  let refreshed = 0
  pm.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/session/refresh')) refreshed++
  })
  await pm.route('**/api/v1/projects/*/gate-reviews', async (route) => {
    if (route.request().method() === 'POST' && expired++ === 0) {
      await route.fulfill({
        status: 401,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Not signed in', status: 401, detail: 'The access token has expired.' }),
      })
    } else await route.continue()
  })
  await pm.getByRole('button', { name: 'Send the request' }).click()
  await expect(pm.getByRole('heading', { name: /^Gate review:/ })).toBeVisible()
  expect(expired).toBe(2)
  expect(refreshed).toBe(1)
  await expect(pm.getByText('Pending', { exact: true }).first()).toBeVisible()
  // The requester is never a decider.
  await expect(pm.getByRole('button', { name: 'Record the decision' })).toHaveCount(0)
  const reviewUrl = pm.url()
  await checkPage(pm, 'gate-review')
  await pmContext.close()

  const sponsorContext = await browser.newContext()
  const sponsor = await sponsorContext.newPage()
  await signIn(sponsor, 'sponsor@demo.test')
  await expect(sponsor.getByRole('link', { name: new RegExp(LEISURE) })).toBeVisible()
  await sponsor.getByRole('link', { name: new RegExp(LEISURE) }).click()
  await expect(sponsor).toHaveURL(reviewUrl)
  await sponsor.getByRole('button', { name: 'Record the decision' }).click()
  await expect(sponsor.locator('.govuk-error-summary')).toContainText('Choose a decision')
  await sponsor.getByLabel('Approve', { exact: true }).check()
  await sponsor.getByLabel('Reason').fill('The discovery is complete and the board agrees.')
  await checkPage(sponsor, 'gate-review-decision')
  await sponsor.getByRole('button', { name: 'Record the decision' }).click()
  await expect(sponsor.getByText('Approved', { exact: true }).first()).toBeVisible()

  await sponsor.getByRole('link', { name: 'Portfolio', exact: true }).click()
  await expect(sponsor.getByTestId('programmes-by-stage')).toBeVisible()
  expect(Number(await cell(sponsor, 'programmes-by-stage', programme, from))).toBe(before.from - 1)
  await sponsor.getByRole('link', { name: programme }).first().click()
  await sponsor.getByLabel('Name or reference').fill('Leisure Management')
  await sponsor.getByRole('button', { name: 'Apply filters' }).click()
  const row = sponsor.getByTestId('projects-table').locator('tbody tr')
  await expect(row).toHaveCount(1)
  await expect(row).not.toContainText(from)
  await checkPage(sponsor, 'programme')
  await sponsorContext.close()
})

test('a viewer sees no edit controls and a direct edit is refused', async ({ page }) => {
  await signIn(page, 'viewer@demo.test')
  await expect(page.getByRole('link', { name: 'Administration' })).toHaveCount(0)
  await page.goto(`/projects?q=telephony&stage=delivery`)
  await page.getByRole('link', { name: TELEPHONY }).click()
  await expect(page.getByRole('heading', { name: TELEPHONY })).toBeVisible()
  await expect(page.getByText(/Request a gate review|Add a risk/)).toHaveCount(0)
  await expect(page.getByRole('button')).toHaveText(['Search', 'Sign out', 'Sign out everywhere'])
  await checkPage(page, 'project-viewer', false)
  const projectId = page.url().split('/projects/')[1]?.split('?')[0] as string

  // The page for adding a risk says which permission is missing rather than offering the form.
  await page.goto(`/projects/${projectId}/risks/new`)
  await expect(page.getByRole('heading', { name: 'You cannot see this page' })).toBeVisible()
  await expect(page.getByText(/raid:edit/)).toBeVisible()
  await checkPage(page, 'forbidden', false)

  // The API is the guard: a request made directly with the viewer's own token is refused.
  const refused = await page.evaluate(async (project) => {
    const session = await fetch('/api/v1/auth/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@demo.test', password: 'demo-password' }),
    })
    const { access_token: token } = await session.json()
    const response = await fetch('/api/v1/risks', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ project_id: project, title: 'Not allowed', category: 'test', inherent_likelihood: 1, inherent_impact: 1 }),
    })
    return { status: response.status, type: response.headers.get('content-type'), body: await response.json() }
  }, projectId)
  expect(refused.status).toBe(403)
  expect(refused.type).toContain('application/problem+json')
  expect(refused.body.detail).toContain('raid:edit')
})

test('sign-in explains a wrong password; sign out ends the session', async ({ page }) => {
  await page.goto('/')
  await page.getByLabel('Email address').fill('pmo@demo.test')
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.locator('.govuk-error-summary')).toContainText('not right')
  await checkPage(page, 'sign-in-error', false)
  await page.getByLabel('Password').fill('demo-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
  // The refresh token is never visible to script; the CSRF cookie is, under its __Host- name.
  expect(await page.evaluate(() => document.cookie)).not.toContain('pmo_refresh')
  expect(await page.evaluate(() => document.cookie)).toContain('__Host-pmo_csrf=')
  // A reload restores the session from the cookies (the app reads the __Host- CSRF cookie).
  await page.reload()
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await checkPage(page, 'sign-in')
})

test('an administrator registers an API client and sees its secret once', async ({ page }) => {
  await signIn(page, 'admin@demo.test')
  await page.getByRole('link', { name: 'Administration' }).click()
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible()
  await checkPage(page, 'admin-users')
  await page.getByRole('link', { name: 'Roles', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Roles', level: 1 })).toBeVisible()
  await checkPage(page, 'admin-roles', false)
  await page.getByRole('link', { name: 'Directorates', exact: true }).click()
  await checkPage(page, 'admin-directorates', false)
  await page.getByRole('link', { name: 'API clients', exact: true }).click()
  await page.getByRole('button', { name: 'Register and show the secret' }).click()
  await expect(page.locator('.govuk-error-summary')).toBeVisible()
  await page.getByLabel('Name').fill('Performance dashboard')
  await page.getByLabel(/kpis:read/).check()
  await page.getByRole('button', { name: 'Register and show the secret' }).click()
  await expect(page.getByTestId('client-secret')).not.toBeEmpty()
  await checkPage(page, 'admin-api-clients')
  await page.reload()
  await expect(page.getByRole('cell', { name: 'Performance dashboard', exact: true })).toBeVisible()
  await expect(page.getByTestId('client-secret')).toHaveCount(0)
})

test('keyboard only: skip link, sign in and the menu', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await expect(page).toHaveTitle(/^Sign in – /)
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.locator('#main-content')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByLabel('Email address')).toBeFocused()
  await page.keyboard.type('member@demo.test')
  await page.keyboard.press('Tab')
  await page.keyboard.type('demo-password')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
  await expect(page).toHaveTitle('My work – Change portfolio – Chesterfield Borough Council (demo)')
  const portfolio = page.getByRole('link', { name: 'Portfolio', exact: true })
  for (let i = 0; i < 20 && !(await portfolio.evaluate((e) => e === document.activeElement)); i++) {
    await page.keyboard.press('Tab')
  }
  await expect(portfolio).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Portfolio dashboard' })).toBeVisible()
  await expect(page.locator('#main-content')).toBeFocused()
  await expect(page).toHaveTitle(/^Portfolio dashboard – /)
})

test('the PMO adds a risk, seeing its score as likelihood and impact are chosen', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/projects?q=telephony&stage=delivery')
  await page.getByRole('link', { name: TELEPHONY }).click()
  await page.getByRole('link', { name: 'Add a risk' }).click()
  await expect(page.getByRole('heading', { name: 'Add a risk' })).toBeVisible()
  // The demo council scores risks High, Medium or Low (hml3): High x Medium = 6, red.
  await page.getByLabel('Likelihood').first().selectOption({ label: 'High' })
  await expect(page.getByTestId('score-Inherent')).toHaveCount(0)
  await page.getByLabel('Impact').first().selectOption({ label: 'Medium' })
  await expect(page.getByTestId('score-Inherent')).toHaveText('Inherent: score 6, Red')
  await expect(page.getByTestId('score-Residual')).toHaveText('Residual: score 6, Red')
  await page.getByLabel('Likelihood').nth(1).selectOption({ label: 'Low' })
  await expect(page.getByTestId('score-Residual')).toHaveText('Residual: score 2, Green')
  await checkPage(page, 'risk-form')

  await page.getByRole('button', { name: 'Add the risk' }).click()
  const summary = page.locator('.govuk-error-summary')
  await expect(summary).toContainText(/title/i)
  await expect(page.getByLabel('Impact').first()).toHaveValue('2') // nothing chosen is lost
  await checkPage(page, 'risk-form-errors', false)
  await page.getByLabel('Title').fill('Supplier cannot migrate call recordings')
  await page.getByLabel('Category').fill('technical')
  await page.getByRole('button', { name: 'Add the risk' }).click()
  await expect(page).toHaveURL(/tab=risks/)
  await expect(page.getByRole('table', { name: 'Risk log' })).toContainText('Supplier cannot migrate call recordings')
})

test('sign out everywhere ends the session in another browser too', async ({ browser }) => {
  const office = await browser.newContext()
  const home = await browser.newContext()
  const first = await office.newPage()
  const second = await home.newPage()
  await signIn(first, 'finance@demo.test')
  await signIn(second, 'finance@demo.test')
  await first.getByRole('button', { name: 'Sign out everywhere' }).click()
  await expect(first.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  // The other browser's session cookie no longer gives an access token.
  await second.reload()
  await expect(second.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await office.close()
  await home.close()
})
