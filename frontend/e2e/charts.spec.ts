import { type Locator, type Page, expect, test } from '@playwright/test'
import { checkPage, signIn } from './helpers'

const CX03 = 'Customer contacts resolved at the first point of contact'

/** Chart.js has drawn on the canvas once it has sized it (its style carries box-sizing). */
async function expectDrawn(chart: Locator): Promise<void> {
  await expect(chart).toBeVisible()
  await expect(chart).toHaveAttribute('style', /box-sizing/)
}

async function chartByLabel(page: Page, label: RegExp): Promise<Locator> {
  const chart = page.getByRole('img', { name: label })
  await expectDrawn(chart)
  return chart
}

test('the charts are drawn on canvases that say what they show, next to their tables', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.getByRole('link', { name: 'Portfolio', exact: true }).click()
  await chartByLabel(page, /^Projects by stage, whole portfolio: .*\d.*The same figures are in the table that follows\.$/)
  await expect(page.getByRole('table', { name: 'Projects by stage, whole portfolio' })).toHaveCount(1)
  await checkPage(page, 'charts-portfolio', false)

  await page.getByRole('link', { name: 'KPIs', exact: true }).click()
  await page.getByRole('link', { name: CX03 }).click()
  const trend = page.getByTestId('kpi-chart')
  await expectDrawn(trend)
  await expect(trend).toHaveAttribute('role', 'img')
  await expect(trend).toHaveAttribute('aria-label', /published values against target/)
  await expect(page.getByTestId('kpi-values')).toBeVisible()
  await checkPage(page, 'charts-kpi', false)

  await page.goto('/portfolio/finance')
  const benefits = page.getByTestId('benefits-chart')
  await expectDrawn(benefits)
  await expect(benefits).toHaveAttribute('aria-label', /^Cashable benefits by financial year: \d{4}\/\d{2}: £/)
  await checkPage(page, 'charts-finance', false)
})
