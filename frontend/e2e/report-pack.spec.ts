import { expect, test } from '@playwright/test'
import { checkPage, signIn, fillDate } from './helpers'

// Issue 17 item 1 and issue 14 item 1, as the PMO officer of the demo council: a meeting of
// Cabinet, the Customer Experience programme's committee report pack for it (15 projects:
// made at once), both documents downloaded; then a milestone re-baselined with a reason and
// its baseline history.
const PROGRAMME = 'Customer Experience'
const PROJECT = 'Replace the Council website'

test('the PMO makes a programme report pack for a Cabinet meeting and downloads it', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/portfolio')
  await page.getByRole('link', { name: PROGRAMME, exact: true }).first().click()
  await expect(page.getByRole('heading', { name: PROGRAMME, level: 1 })).toBeVisible()
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Committee report pack' }) })
  await expect(section.getByText('There are no meetings yet')).toBeVisible()

  // A meeting first: a bad date is refused by its field.
  await section.getByLabel('Governance body').selectOption({ label: 'Cabinet' })
  await section.getByLabel('Meeting title').fill('Cabinet')
  await section.getByRole('button', { name: 'Add the meeting' }).click()
  await expect(section.locator('.govuk-error-summary')).toContainText(/meeting date/i)
  await fillDate(section, 'Meeting date', '2026-12-15')
  await section.getByLabel('Location').fill('Committee Room 1, Town Hall')
  await section.getByRole('button', { name: 'Add the meeting' }).click()

  // The pack: the meeting must be chosen.
  const meeting = section.getByLabel('Meeting', { exact: true })
  await expect(meeting.locator('option', { hasText: 'Cabinet: Cabinet' })).toHaveCount(1)
  await section.getByLabel('Report of').fill('Service Director - Digital, HR and Customer Services')
  await section.getByRole('button', { name: 'Make the report pack' }).click()
  await expect(section.locator('.govuk-error-summary')).toContainText(/meeting/i)
  await meeting.selectOption({ index: 1 })
  await section.getByRole('group', { name: 'Key decision' }).getByLabel('Yes').check()
  await section.getByLabel('Recommendations').fill('That Cabinet notes the progress of the programme.')
  await section.getByRole('button', { name: 'Make the report pack' }).click()
  await expect(section.getByText('The report pack is ready to download below.')).toBeVisible()
  const packs = page.getByTestId('report-packs')
  await expect(packs).toContainText('Cabinet, 15 Dec 2026')
  await expect(packs).toContainText('Ready')

  for (const [button, extension] of [
    ['Word', '.docx'],
    ['PDF', '.pdf'],
  ] as const) {
    const download = page.waitForEvent('download')
    await packs.getByRole('button', { name: new RegExp(`^${button}`) }).first().click()
    const file = await download
    expect(file.suggestedFilename()).toBe(`customer-experience-progress-report${extension}`)
    expect((await file.failure()) ?? null).toBeNull()
  }
  await checkPage(page, 'report-pack-programme')
})

test('a milestone is re-baselined with a reason and keeps its history', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/projects')
  await page.getByRole('link', { name: PROJECT }).first().click()
  await page.getByRole('link', { name: 'Milestones' }).first().click()
  const milestones = page.getByRole('table', { name: 'Milestones' })
  await expect(milestones).toContainText('On baseline')
  await milestones.getByRole('link').first().click()
  await expect(page.getByRole('heading', { name: 'Baseline history' })).toBeVisible()
  const history = page.getByTestId('baseline-history')
  await expect(history.locator('tbody tr')).toHaveCount(1)
  await expect(history).toContainText('First baseline')

  // No reason: refused, nothing changed.
  await fillDate(page, 'New baseline date', '2027-03-31')
  await page.getByRole('button', { name: 'Re-baseline the milestone' }).click()
  await expect(page.locator('.govuk-error-summary')).toContainText(/reason/i)
  await expect(history.locator('tbody tr')).toHaveCount(1)

  await page.getByLabel('Reason').fill('Cabinet agreed the new date on 15 December 2026')
  await page.getByRole('button', { name: 'Re-baseline the milestone' }).click()
  await expect(history.locator('tbody tr')).toHaveCount(2)
  await expect(history).toContainText('Cabinet agreed the new date on 15 December 2026')
  await expect(history.locator('tbody tr').nth(1)).toContainText('(current)')
  await expect(page.getByText('31 Mar 2027').first()).toBeVisible()
  await checkPage(page, 'milestone-rebaselined')
})
