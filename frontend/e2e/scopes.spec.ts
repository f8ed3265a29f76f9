import { type APIRequestContext, expect, test } from '@playwright/test'
import { checkPage, PASSWORD, signIn } from './helpers'

// Scoped roles: an administrator gives a new person the project manager role for one programme
// (ICT Improvement); that person changes a risk of an ICT project and is refused, with the
// reason, on a risk of a Customer Experience project. The spec makes its own person and risks.

async function token(request: APIRequestContext, email: string, password = PASSWORD): Promise<Record<string, string>> {
  const response = await request.post('/api/v1/auth/token', { form: { grant_type: 'password', username: email, password } })
  expect(response.ok(), await response.text()).toBeTruthy()
  return { Authorization: `Bearer ${(await response.json()).access_token}` }
}

async function riskIn(request: APIRequestContext, pmo: Record<string, string>, programme: string, title: string): Promise<string> {
  const programmes = await (await request.get('/api/v1/programmes', { headers: pmo, params: { limit: 200 } })).json()
  const programmeId = programmes.items.find((p: { name: string }) => p.name === programme).id
  const projects = await (await request.get('/api/v1/projects', { headers: pmo, params: { programme_id: programmeId, limit: 1 } })).json()
  const created = await request.post('/api/v1/risks', {
    headers: pmo,
    data: { project_id: projects.items[0].id, title, category: 'operational', inherent_likelihood: 2, inherent_impact: 2 },
  })
  expect(created.status(), await created.text()).toBe(201)
  return (await created.json()).id
}

test('a project manager for one programme changes a risk in it and is offered no change outside it', async ({ page, request }) => {
  const stamp = Date.now()
  const email = `scoped-${stamp}@demo.test`
  const name = `Sky Scoped ${stamp}`
  const admin = await token(request, 'admin@demo.test')
  const person = await request.post('/api/v1/users', { headers: admin, data: { email, display_name: name, password: 'a long scoped password' } })
  expect(person.status(), await person.text()).toBe(201)
  const pmo = await token(request, 'pmo@demo.test')
  const inside = await riskIn(request, pmo, 'ICT Improvement', `Scoped inside ${stamp}`)
  const outside = await riskIn(request, pmo, 'Customer Experience', `Scoped outside ${stamp}`)

  // The administrator gives the role for one programme, chosen from the list.
  await signIn(page, 'admin@demo.test')
  await page.goto('/admin/roles')
  await page.getByLabel('Person').selectOption({ label: `${name} (${email})` })
  await page.getByLabel('Role', { exact: true }).selectOption('project_manager')
  await page.getByRole('radio', { name: 'One programme' }).check()
  await page.getByLabel('Programme', { exact: true }).selectOption({ label: 'ICT Improvement' })
  await checkPage(page, 'admin-roles-scoped', false)
  await page.getByRole('button', { name: 'Give the role' }).click()
  await expect(page.getByText(`${name} now holds the role`)).toContainText('for programme ICT Improvement')
  const row = page.getByRole('table', { name: 'Role assignments' }).locator('tbody tr').filter({ hasText: name })
  await expect(row).toContainText('programme ICT Improvement')
  await checkPage(page, 'admin-roles-scope-given', false)
  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`)
  await expect(page.getByRole('table', { name: 'Users' }).locator('tbody tr').filter({ hasText: email })).toContainText(
    'for programme ICT Improvement',
  )

  // The person changes the risk in their programme...
  await page.context().clearCookies()
  await page.goto('/')
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill('a long scoped password')
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible()
  await page.goto(`/risks/${inside}/edit`)
  await expect(page.getByRole('heading', { name: /^Change risk/ })).toBeVisible()
  await page.getByLabel('Category').fill('technical')
  await page.getByRole('button', { name: 'Save the changes' }).click()
  await expect(page).toHaveURL(/tab=risks/)

  // ... and is offered no change on one outside it: the API lists no `edit` for them (its
  // refusal, with the reason, is proven in tests/organisations/test_scoped_writes.py).
  await page.goto(`/risks/${outside}/edit`)
  await expect(page.getByRole('heading', { name: /^Risk R-/ })).toBeVisible()
  await expect(page.getByTestId('read-only')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Save the changes' })).toHaveCount(0)
  await expect(page.getByTestId('risk-actions')).toHaveCount(0)
  await checkPage(page, 'risk-edit-out-of-scope', false)

  // Tidy up: the role goes, so no other journey meets this person's scope.
  const assignments = await (await request.get('/api/v1/role-assignments', { headers: admin, params: { limit: 200 } })).json()
  const users = await (await request.get('/api/v1/users', { headers: admin, params: { q: email } })).json()
  for (const a of assignments.items.filter((x: { user_id: string }) => x.user_id === users.items[0].id)) {
    expect((await request.delete(`/api/v1/role-assignments/${a.id}`, { headers: admin })).status()).toBe(204)
  }
})
