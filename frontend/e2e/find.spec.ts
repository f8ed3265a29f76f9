import { type APIRequestContext, expect, test } from '@playwright/test'
import { PASSWORD, checkPage, signIn } from './helpers'

// Finding things on the demo data: the search box, the RAID register from the heat map, a
// record's history with before and after, and a programme's roadmap.
const RISK = 'Failure to resource the priorities set out in the programme'

async function token(request: APIRequestContext): Promise<string> {
  const response = await request.post('/api/v1/auth/token', {
    form: { grant_type: 'password', username: 'pmo@demo.test', password: PASSWORD },
  })
  expect(response.ok()).toBeTruthy()
  return (await response.json()).access_token as string
}

test('search finds a risk by words and opens its history', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.getByLabel('Search the registers').fill('resourcing priorities')
  await page.getByRole('button', { name: 'Search', exact: true }).first().click()
  await expect(page).toHaveURL(/\/search\?q=resourcing\+priorities$/)
  const result = page.getByRole('link', { name: new RegExp(RISK) })
  await expect(result).toBeVisible()
  await checkPage(page, 'search')
  await result.click()
  await expect(page.getByRole('heading', { name: 'History', exact: true })).toBeVisible()
})

test('a heat-map cell opens the register filtered to its risks, with exports', async ({ page }) => {
  await signIn(page, 'pmo@demo.test')
  await page.goto('/portfolio')
  const cellLink = page.getByTestId('heat-map').getByRole('link').first()
  await expect(cellLink).toBeVisible()
  const count = Number(/^(\d+)/.exec((await cellLink.innerText()).trim())?.[1])
  await cellLink.click()
  await expect(page).toHaveURL(/\/raid-register\?.*likelihood=\d.*type=risk/)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('RAID register (likelihood')
  await expect(page.getByTestId('raid-register').locator('tbody tr')).toHaveCount(count)
  await checkPage(page, 'raid-register')
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download CSV' }).click()
  expect((await download).suggestedFilename()).toBe('raid-register.csv')
})

test('a change shows before and after in the history', async ({ page, request }) => {
  const bearer = { Authorization: `Bearer ${await token(request)}` }
  const found = await (await request.get('/api/v1/search', { params: { q: 'resourcing priorities', kind: 'risk' }, headers: bearer })).json()
  const id = found.items[0].id as string
  const current = await request.get(`/api/v1/risks/${id}`, { headers: bearer })
  const changed = await request.patch(`/api/v1/risks/${id}`, {
    headers: { ...bearer, 'If-Match': current.headers().etag as string },
    data: { title: 'Failure to resource the priorities of the programme' },
  })
  expect(changed.ok()).toBeTruthy()

  await signIn(page, 'pmo@demo.test')
  await page.goto(`/history/risk/${id}`)
  const change = page.getByTestId('history').locator('tr').filter({ has: page.getByRole('rowheader', { name: 'Title' }) }).last()
  await expect(change).toContainText(RISK)
  await expect(change).toContainText('Failure to resource the priorities of the programme')
  await checkPage(page, 'history')
})

test('a programme roadmap shows milestones by quarter, with a table', async ({ page, request }) => {
  const bearer = { Authorization: `Bearer ${await token(request)}` }
  const programmes = await (await request.get('/api/v1/programmes', { headers: bearer })).json()
  await signIn(page, 'pmo@demo.test')
  await page.goto(`/programmes/${programmes.items[0].id}`)
  await page.getByRole('link', { name: 'Roadmap: milestones by quarter' }).click()
  await expect(page.getByRole('heading', { name: 'Roadmap' })).toBeVisible()
  await expect(page.getByTestId('roadmap-table').locator('tbody tr').first()).toBeVisible()
  await checkPage(page, 'roadmap')
})
