import { type Browser, type Page, expect, test } from '@playwright/test'
import { checkPage, signIn, fillDate } from './helpers'

// The demo: "Re-procure the contact centre telephony system" asks £18,500.00 from the Service
// Redesign Reserve and waits for the views of finance@demo.test and member@demo.test; sponsor@demo.test
// decides. "Reshaping purchase to pay processes" asks £200,000.00 and is referred to Cabinet.
const CONSULTING = 'Re-procure the contact centre telephony system'
const REFERRED = '£200,000.00'

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signIn(page, email)
  return page
}

async function openDrawdown(page: Page, project: string): Promise<string> {
  await page.goto('/drawdowns')
  const row = page.getByTestId('drawdowns-table').locator('tbody tr').filter({ hasText: project })
  await row.getByRole('link').first().click()
  await expect(page.getByRole('heading', { name: /^Draw-down DD-\d{4}/ })).toBeVisible()
  return page.url()
}

test('an officer decision asks for reasons, alternatives and conflicts, and goes on the record', async ({ browser }) => {
  const finance = await as(browser, 'finance@demo.test')
  const url = await openDrawdown(finance, CONSULTING)
  await finance.getByLabel('Supports', { exact: true }).check()
  await finance.getByRole('button', { name: 'Record my view' }).click()
  await expect(finance.getByTestId('consultations')).toContainText('Supports')

  const member = await as(browser, 'member@demo.test')
  await member.goto(url)
  await member.getByLabel('Supports', { exact: true }).check()
  const conflict = member.getByRole('group', { name: /conflict of interest/ })
  await conflict.getByLabel('Yes', { exact: true }).check()
  // Declared without saying what: the API's message, shown GOV.UK style.
  await member.getByRole('button', { name: 'Record my view' }).click()
  await expect(member.locator('.govuk-error-summary')).toContainText(/say what the conflict of interest is/i)
  await member.getByLabel('The interest you declare').fill('My partner works for one of the bidders.')
  await member.getByLabel('Dispensation granted by (if any)').fill('Huw Bowen, Chief Executive')
  await fillDate(member, 'Dispensation granted on', '2023-05-02')
  await checkPage(member, 'decision-consultation-conflict')
  await member.getByRole('button', { name: 'Record my view' }).click()
  await expect(member.locator('.govuk-tag').getByText('Awaiting decision', { exact: true })).toBeVisible()

  const sponsor = await as(browser, 'sponsor@demo.test')
  await sponsor.goto(url)
  await sponsor.getByLabel(/^Approve £18,500\.00/).check()
  await sponsor.getByLabel('Reasons for the decision').fill('Independent advice keeps the procurement compliant.')
  // No alternatives: refused by the API, each field named in the summary and at the field.
  await sponsor.getByRole('button', { name: 'Record the decision' }).click()
  const summary = sponsor.locator('.govuk-error-summary')
  await expect(summary).toContainText(/alternatives considered/i)
  await expect(sponsor.locator('#field-alternatives_considered-error')).toBeVisible()
  await checkPage(sponsor, 'decision-form-errors')
  await sponsor.getByLabel('Alternative options considered and rejected').fill('Doing it in-house: rejected, no procurement specialist is free.')
  await sponsor.getByRole('button', { name: 'Record the decision' }).click()
  await expect(sponsor.getByText('Approved', { exact: true }).first()).toBeVisible()

  await sponsor.getByRole('link', { name: 'Record of the officer decision' }).click()
  await expect(sponsor.getByRole('heading', { name: /^OD-\d{4}: / })).toBeVisible()
  await expect(sponsor.getByText('Independent advice keeps the procurement compliant.')).toBeVisible()
  await expect(sponsor.getByTestId('record-consultations')).toContainText('Declared: My partner works for one of the bidders.')
  await expect(sponsor.getByTestId('record-consultations')).toContainText('Granted by Huw Bowen, Chief Executive')
  await checkPage(sponsor, 'officer-decision')
  const download = sponsor.waitForEvent('download')
  await sponsor.getByRole('button', { name: 'Download the record (PDF)' }).click()
  expect((await download).suggestedFilename()).toMatch(/^od-\d{4}-officer-decision\.pdf$/)

  await sponsor.getByRole('link', { name: 'Decisions', exact: true }).click()
  await expect(sponsor.getByRole('heading', { name: 'Record of officer decisions' })).toBeVisible()
  await checkPage(sponsor, 'officer-decisions')
  for (const page of [finance, member, sponsor]) await page.context().close()
})

test('a key decision needs 28 clear days on the forward plan, or an exception', async ({ browser }) => {
  // The admin makes £100,000 the threshold and publishes the forward plan.
  const admin = await as(browser, 'admin@demo.test')
  await admin.goto('/admin/decisions')
  await expect(admin.getByRole('heading', { name: 'Key decisions and the public record' })).toBeVisible()
  await admin.getByLabel('Spending threshold').fill('100000.00')
  await admin.getByLabel('The forward plan').check()
  await checkPage(admin, 'decision-settings')
  await admin.getByRole('button', { name: 'Save the settings' }).click()
  await expect(admin.getByText('The settings are saved.')).toBeVisible()
  const forwardPlanAddress = (await admin.getByTestId('public-address').first().innerText()).trim()
  expect(forwardPlanAddress).toMatch(/\/api\/v1\/public\/organisations\/[0-9a-f-]{36}\/forward-plan$/)
  await admin.context().close()

  const democratic = await as(browser, 'democratic@demo.test')
  await democratic.getByRole('link', { name: 'Forward plan', exact: true }).click()
  await democratic.getByRole('link', { name: 'Put a referral on the forward plan' }).click()
  const referral = democratic.getByLabel('Cabinet referral')
  const value = await referral.locator('option', { hasText: REFERRED }).first().getAttribute('value')
  await referral.selectOption(value as string)
  await fillDate(democratic, 'Cabinet meeting date', '2023-06-14')
  // The day of the meeting as the day of publication: refused by the API, in its words.
  await fillDate(democratic, 'Published on', '2023-06-14')
  await democratic.getByRole('button', { name: 'Put it on the forward plan' }).click()
  await expect(democratic.locator('.govuk-error-summary')).toContainText(/the meeting must be after the day the notice is published/i)
  // 27 clear days: 17 May to 14 June.
  await fillDate(democratic, 'Published on', '2023-05-17')
  await democratic.getByLabel('Wards affected').fill('Brimington North, Dunston')
  await checkPage(democratic, 'forward-plan-new')
  await democratic.getByRole('button', { name: 'Put it on the forward plan' }).click()
  await expect(democratic.getByRole('heading', { name: /^FP-\d{4}: / })).toBeVisible()
  await expect(democratic.locator('.govuk-warning-text')).toContainText("Only 27 clear days' notice")
  await checkPage(democratic, 'forward-plan-entry')
  const entryUrl = democratic.url()

  // The Cabinet outcome cannot be recorded yet: the API's 409 is shown as it is.
  await democratic.getByRole('link', { name: 'The request' }).click()
  await fillDate(democratic, 'Meeting date', '2023-06-14')
  await democratic.getByLabel('Key decision reference').fill('KD 2023/07')
  await democratic.getByLabel(/^Approved: commit/).check()
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  await expect(democratic.locator('.govuk-error-summary')).toContainText('listed on the forward plan 27 clear days before the meeting')

  // Special urgency, with the scrutiny chair's agreement.
  await democratic.goto(entryUrl)
  await democratic.getByLabel(/^Special urgency/).check()
  await democratic.getByLabel('Reasons').fill('The supplier’s price holds only until 30 June.')
  await democratic.getByLabel('Chair of the scrutiny committee').fill('Cllr Jean Innes')
  await fillDate(democratic, 'Date', '2023-06-01')
  await democratic.getByRole('button', { name: 'Record the exception' }).click()
  await expect(democratic.getByText('Special urgency', { exact: true }).first()).toBeVisible()

  await democratic.getByRole('link', { name: 'The request' }).click()
  await fillDate(democratic, 'Meeting date', '2023-06-14')
  await democratic.getByLabel('Key decision reference').fill('KD 2023/07')
  await democratic.getByLabel(/^Approved: commit/).check()
  await democratic.getByRole('button', { name: 'Record the Cabinet decision' }).click()
  await expect(democratic.getByText('Approved', { exact: true }).first()).toBeVisible()

  await democratic.getByRole('link', { name: 'Forward plan', exact: true }).click()
  await expect(democratic.getByRole('heading', { name: 'Forward plan of key decisions' })).toBeVisible()
  await checkPage(democratic, 'forward-plan')
  const download = democratic.waitForEvent('download')
  await democratic.getByRole('button', { name: 'Download as Word (DOCX)' }).click()
  expect((await download).suggestedFilename()).toBe('forward-plan.docx')

  // Published: anyone reads it without signing in.
  const anonymous = await browser.newContext()
  const published = await anonymous.request.get(forwardPlanAddress)
  expect(published.status()).toBe(200)
  expect(JSON.stringify(await published.json())).toContain('Brimington North')
  expect((await anonymous.request.get('/api/v1/forward-plan')).status()).toBe(401)
  await anonymous.close()
  await democratic.context().close()
})
