// The last records only the API could change: a risk's response actions (added, changed and
// deleted on the risk page) and a milestone's title (changed, then the milestone deleted), as
// pm@demo.test on the project they manage. The spec creates the risk and the milestone it
// changes, so the demo records other specs use are untouched.
import { type APIRequestContext, expect, test } from '@playwright/test'
import { checkPage, fillDate, signIn } from './helpers'

const PM_PROJECT = 'Replace the Council website'

async function asPm(request: APIRequestContext) {
  const token = await request.post('/api/v1/auth/token', {
    form: { grant_type: 'password', username: 'pm@demo.test', password: 'demo-password' },
  })
  expect(token.ok()).toBeTruthy()
  const headers = { Authorization: `Bearer ${(await token.json()).access_token}` }
  const found = await request.get('/api/v1/projects', { headers, params: { limit: 200 } })
  const project = (await found.json()).items.find((p: { name: string }) => p.name === PM_PROJECT)
  expect(project, PM_PROJECT).toBeTruthy()
  return { headers, projectId: project.id as string }
}

test('a project manager adds, changes and deletes a response action on their risk', async ({ page, request }) => {
  const { headers, projectId } = await asPm(request)
  const created = await request.post('/api/v1/risks', {
    headers,
    data: { project_id: projectId, title: `Content migration overruns (${Date.now()})`, category: 'Delivery', inherent_likelihood: 2, inherent_impact: 3 },
  })
  expect(created.status(), await created.text()).toBe(201)
  const risk = await created.json()
  expect(risk.allowed_actions).toContain('edit')

  await signIn(page, 'pm@demo.test')
  await page.goto(`/risks/${risk.id}/edit`)
  const section = page.getByTestId('response-actions')
  await expect(section).toContainText('No actions recorded.')
  await section.getByRole('button', { name: 'Add an action' }).click()
  const form = section.getByTestId('response-action-form')
  // The API's refusal is shown at the field: an action needs words.
  await form.getByRole('button', { name: 'Add the action' }).click()
  await expect(form.locator('#field-description-error')).toBeVisible()
  await checkPage(page, 'risk-action-errors', false)
  await form.getByLabel('Action', { exact: true }).fill('Agree a content freeze with service owners')
  await form.getByLabel('Actionee (optional)').selectOption({ label: 'Morgan Project-Manager' })
  await fillDate(form, 'Due date (optional)', '2027-01-29')
  await form.getByRole('button', { name: 'Add the action' }).click()
  await expect(page.getByTestId('raid-action-done')).toHaveText('The action was added.')
  const row = section.locator('tbody tr').filter({ hasText: 'Agree a content freeze' })
  await expect(row).toContainText('Morgan Project-Manager')
  await expect(row).toContainText('29 Jan 2027')
  await checkPage(page, 'risk-actions')

  // Change it: in progress, with a clearer description.
  await row.getByRole('button', { name: 'Change action 1' }).click()
  const change = section.getByTestId('response-action-form')
  await expect(change.getByLabel('Action', { exact: true })).toHaveValue('Agree a content freeze with service owners')
  await change.getByLabel('Action', { exact: true }).fill('Agree a two-week content freeze with service owners')
  await change.getByLabel('In progress').check()
  await checkPage(page, 'risk-action-change', false)
  await change.getByRole('button', { name: 'Save the action' }).click()
  await expect(page.getByTestId('raid-action-done')).toHaveText('The action was changed.')
  const changed = section.locator('tbody tr').filter({ hasText: 'two-week content freeze' })
  await expect(changed).toContainText('In progress')

  // Delete it: asked first; "No" keeps it.
  await changed.getByRole('button', { name: 'Delete action 1' }).click()
  const ask = section.getByTestId('response-action-delete')
  await expect(ask).toContainText('Delete the action')
  await checkPage(page, 'risk-action-delete', false)
  await ask.getByRole('button', { name: 'No, keep it' }).click()
  await expect(section.locator('tbody tr')).toHaveCount(1)
  await changed.getByRole('button', { name: 'Delete action 1' }).click()
  await section.getByTestId('response-action-delete').getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByTestId('raid-action-done')).toHaveText('The action was deleted.')
  await expect(section).toContainText('No actions recorded.')
  const actions = await request.get(`/api/v1/risks/${risk.id}/actions`, { headers })
  expect((await actions.json()).items).toEqual([])
})

test('a project manager changes a milestone\'s title and deletes the milestone', async ({ page, request }) => {
  const { headers, projectId } = await asPm(request)
  const title = `Content freeze agreed (${Date.now()})`
  const created = await request.post(`/api/v1/projects/${projectId}/milestones`, {
    headers,
    data: { title, planned_date: '2027-02-26', status: 'planned' },
  })
  expect(created.status(), await created.text()).toBe(201)
  const milestone = await created.json()
  expect(milestone.allowed_actions).toEqual(expect.arrayContaining(['edit', 'delete']))

  await signIn(page, 'pm@demo.test')
  await page.goto(`/milestones/${milestone.id}`)
  const details = page.getByTestId('milestone-details')
  await expect(details.getByLabel('Title')).toHaveValue(title)
  // An empty title is refused at the field, in the API's words.
  await details.getByLabel('Title').fill('')
  await details.getByRole('button', { name: 'Save the title, description and owner' }).click()
  await expect(details.locator('#field-title-error')).toBeVisible()
  await checkPage(page, 'milestone-details-errors', false)
  const renamed = `${title}, signed off`
  await details.getByLabel('Title').fill(renamed)
  await details.getByLabel('Owner (optional)').selectOption({ label: 'Morgan Project-Manager' })
  await details.getByRole('button', { name: 'Save the title, description and owner' }).click()
  await expect(page.getByTestId('raid-action-done')).toHaveText('The title, description and owner were saved.')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(renamed)
  await expect(page.getByTestId('milestone-details').getByLabel('Owner')).toHaveValue(/.+/)
  await checkPage(page, 'milestone-edit')

  await page.getByRole('button', { name: 'Delete the milestone' }).click()
  const ask = page.getByTestId('milestone-delete')
  await expect(ask).toContainText(renamed)
  await checkPage(page, 'milestone-delete', false)
  await ask.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page).toHaveURL(/tab=milestones/)
  await expect(page.getByText(renamed)).toHaveCount(0)
  const gone = await request.get(`/api/v1/milestones/${milestone.id}`, { headers })
  expect(gone.status()).toBe(404)
})

test('a project manager deletes a KPI value that is not published, after being asked', async ({ page, request }) => {
  const { headers } = await asPm(request)
  const found = await request.get('/api/v1/kpis', { headers, params: { q: 'CX-03' } })
  const kpi = (await found.json()).items.find((k: { code: string }) => k.code === 'CX-03')
  // A period of its own, long before the demo's values, so the spec leaves CX-03's periods as they were.
  const created = await request.post(`/api/v1/kpis/${kpi.id}/values`, { headers, data: { period_code: '2019-20-Q1', actual: '71.5' } })
  expect(created.status(), await created.text()).toBe(201)
  const value = await created.json()
  expect(value.allowed_actions).toContain('delete')

  await signIn(page, 'pm@demo.test')
  await page.goto(`/kpis/${kpi.id}`)
  const row = page.getByTestId('kpi-values').locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: '2019/20 Q1' }) })
  await expect(row).toContainText('Draft')
  // Published values are records: no Delete on them.
  const published = page.getByTestId('kpi-values').locator('tbody tr').filter({ hasText: 'Published' })
  await expect(published.first()).toBeVisible()
  await expect(published.getByRole('button', { name: /^Delete/ })).toHaveCount(0)
  await row.getByRole('button', { name: 'Delete 2019/20 Q1' }).click()
  const ask = page.getByTestId('kpi-value-delete')
  await expect(ask).toContainText('Delete the value for 2019/20 Q1?')
  await checkPage(page, 'kpi-value-delete', false)
  await ask.getByRole('button', { name: 'Yes, delete it' }).click()
  await expect(page.getByRole('alert').filter({ hasText: '2019/20 Q1: the value was deleted.' })).toBeVisible()
  await expect(page.getByRole('rowheader', { name: '2019/20 Q1' })).toHaveCount(0)
  const gone = await request.get(`/api/v1/kpi-values/${value.id}`, { headers })
  expect(gone.status()).toBe(404)
})
