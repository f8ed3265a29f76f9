// Webhook subscriptions, for administrators: another council system (an API client) is told when
// something happens. An administrator manages any of the organisation's subscriptions, naming the
// client; the signing secret is shown once, on creation and on rotation. The delivery log shows
// what was sent, and what waits for the worker (`pmo worker`) to send it.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { AskToDelete } from '../components/ConfirmDelete'
import { RecordList } from '../components/RecordList'
import { Checkboxes, CopyButton, ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDateTime, NONE_RECORDED, NOT_SET } from '../lib/format'
import { useCan } from '../lib/me'
import type { FormErrors } from '../lib/problem'
import { readQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'
import { AdminNav, RowAction, Success, useRowActions } from './Admin'
import { send } from './Drawdowns'
import { Editing, FormPage } from './RaidForms'

type Subscription = Schemas['WebhookSubscriptionPublic']
type WithSecret = Schemas['WebhookSubscriptionWithSecret']
type Delivery = Schemas['WebhookDeliveryPublic']
type Client = Schemas['ApiClientPublic']
type EventType = Schemas['EventType']

// The event types, in the README's words, each with the scope its client must hold to get it.
const EVENTS: [EventType, string, string][] = [
  ['kpi.value.published', 'A KPI value is published, or a published value is corrected', 'kpis:read'],
  ['drawdown.requested', 'A draw-down is requested', 'finance:read'],
  ['drawdown.decided', 'A draw-down is approved or rejected (delegated, or by Cabinet or Council)', 'finance:read'],
  ['gate_review.decided', 'A gate review is settled: approved (with conditions), deferred or rejected', 'portfolio:read'],
  ['project.stage_changed', 'An approved gate review moves a project on to its next stage', 'portfolio:read'],
  ['risk.escalated', 'A risk is escalated to the programme board or the steering group', 'portfolio:read'],
  ['milestone.missed', 'A milestone is recorded as missed', 'portfolio:read'],
]

/** An event type as a sentence; the test message too. */
export function eventSentence(type: string): string {
  if (type === 'webhook.ping') return 'A test message (ping)'
  return EVENTS.find(([code]) => code === type)?.[1] ?? type
}

/** A delivery's status in words: a pending one says whether it was tried yet. */
export function deliveryStatus(delivery: Delivery): string {
  switch (delivery.status) {
    case 'pending':
      return delivery.attempts === 0
        ? 'Waiting to be sent'
        : `Waiting to be tried again${delivery.next_attempt_at ? ` on ${formatDateTime(delivery.next_attempt_at)}` : ''}`
    case 'delivered':
      return 'Delivered'
    case 'failed':
      return 'Failed: every attempt for three days was refused or unanswered'
    case 'cancelled':
      return 'Cancelled: the client was revoked or lost the scope the event needs'
    default:
      return delivery.status
  }
}

function DeliveryTag({ delivery }: { delivery: Delivery }) {
  const colour = { pending: 'govuk-tag--blue', delivered: 'govuk-tag--green', failed: 'govuk-tag--red', cancelled: 'govuk-tag--grey' }[delivery.status]
  return <strong class={`govuk-tag ${colour}`}>{deliveryStatus(delivery)}</strong>
}

function enabledText(s: Subscription): string {
  if (s.enabled) return 'Enabled'
  if (s.disabled_reason)
    return `Disabled${s.disabled_at ? ` on ${formatDateTime(s.disabled_at)}` : ''}: ${s.disabled_reason}`
  return 'Disabled'
}

async function loadClients(): Promise<Loaded<Client[]>> {
  const result = await load(() => api.GET('/api/v1/api-clients', { params: { query: { limit: 200 } } }))
  return result.problem ? result : { data: result.data.items }
}

interface ListView {
  items: (Subscription & { last: Delivery | null })[]
  total: number
  clients: Client[]
}

/** The subscriptions, each with its latest delivery (one small read each: a council has a few). */
async function loadList(apiClientId: string | undefined): Promise<Loaded<ListView>> {
  const [subscriptions, clients] = await Promise.all([
    load(() => api.GET('/api/v1/webhook-subscriptions', { params: { query: { limit: 200, api_client_id: apiClientId } } })),
    loadClients(),
  ])
  if (subscriptions.problem) return subscriptions
  if (clients.problem) return clients
  const latest = await Promise.all(
    subscriptions.data.items.map((s) =>
      load(() =>
        api.GET('/api/v1/webhook-subscriptions/{subscription_id}/deliveries', {
          params: { path: { subscription_id: s.id }, query: { limit: 1 } },
        }),
      ),
    ),
  )
  const failed = latest.find((l) => l.problem)
  if (failed?.problem) return { problem: failed.problem }
  return {
    data: {
      items: subscriptions.data.items.map((s, i) => ({ ...s, last: latest[i]?.data?.items[0] ?? null })),
      total: subscriptions.data.total,
      clients: clients.data,
    },
  }
}

function clientName(clients: Client[], id: string): string {
  const client = clients.find((c) => c.id === id)
  if (!client) return 'An API client'
  return client.is_active ? client.name : `${client.name} (revoked)`
}

export function AdminWebhooks() {
  const can = useCan()
  const { search } = useLocation()
  const query = readQuery(search, ['api_client_id'])
  const view = useResource(`webhooks-${query.api_client_id ?? ''}`, () => loadList(query.api_client_id))
  const clients = view.data?.clients ?? []
  const only = query.api_client_id ? clients.find((c) => c.id === query.api_client_id) : undefined
  return (
    <>
      <h1 class="govuk-heading-l">Webhook subscriptions</h1>
      <AdminNav />
      <p class="govuk-body">
        Another council system, registered as an API client, is sent a signed message when something it subscribed to
        happens, instead of asking again and again. Each client can also manage its own subscriptions through the API.
      </p>
      {only && (
        <p class="govuk-body">
          Showing {only.name}'s subscriptions. <a class="govuk-link" href="/admin/webhooks">Show every client's</a>
        </p>
      )}
      <RecordList
        list={{ data: view.data, problem: view.problem, reload: view.reload }}
        noun={['subscription', 'subscriptions']}
        create={can('webhooks:manage') ? { href: `/admin/webhooks/new${only ? `?api_client_id=${only.id}` : ''}`, text: 'Add a subscription' } : null}
        caption="Webhook subscriptions"
        testId="webhook-subscriptions"
        head={
          <>
            <th scope="col" class="govuk-table__header">Address (URL)</th>
            <th scope="col" class="govuk-table__header">Client</th>
            <th scope="col" class="govuk-table__header">Sent when</th>
            <th scope="col" class="govuk-table__header">Status</th>
            <th scope="col" class="govuk-table__header">Last delivery</th>
          </>
        }
        rowKey={(s) => s.id}
        row={(s) => (
          <>
            <th scope="row" class="govuk-table__header app-break">
              <a class="govuk-link" href={`/admin/webhooks/${s.id}`}>{s.url}</a>
            </th>
            <td class="govuk-table__cell">{clientName(clients, s.api_client_id)}</td>
            <td class="govuk-table__cell">
              <ul class="govuk-list govuk-!-margin-bottom-0">
                {s.event_types.map((t) => <li key={t}>{eventSentence(t)}</li>)}
              </ul>
            </td>
            <td class="govuk-table__cell">{enabledText(s)}</td>
            <td class="govuk-table__cell">
              {s.last ? (
                <>
                  <DeliveryTag delivery={s.last} />
                  <br />
                  {eventSentence(s.last.event_type)}, {formatDateTime(s.last.last_attempt_at ?? s.last.created_at)}
                </>
              ) : (
                NONE_RECORDED
              )}
            </td>
          </>
        )}
      />
    </>
  )
}

const LABELS = { api_client_id: 'API client', url: 'Address (URL)', event_types: 'Sent when', description: 'Description', enabled: 'Status' }

/** The secret, shown once after creation or rotation, with Copy. */
function SecretShownOnce({ subscription, title }: { subscription: WithSecret; title: string }) {
  return (
    <>
      <div class="govuk-panel govuk-panel--confirmation" role="alert" data-testid="signing-secret-panel">
        <h2 class="govuk-panel__title">{title}</h2>
        <div class="govuk-panel__body govuk-!-font-size-19">
          <p>Signing secret:</p>
          <p class="app-secret" data-testid="signing-secret">{subscription.signing_secret}</p>
          <CopyButton value={subscription.signing_secret} label="Copy the secret" copiedText="The secret is copied." />
        </div>
      </div>
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text">
          <span class="govuk-visually-hidden">Warning</span>
          Copy the secret now and give it to the system's owner: it is shown only once and cannot be found again. Their
          system checks each message's signature with it.
        </strong>
      </div>
    </>
  )
}

function eventOptions() {
  return EVENTS.map(([value, sentence, scope]) => ({ value, text: `${sentence} (the client needs ${scope})` }))
}

export function WebhookNew() {
  const { search } = useLocation()
  const query = readQuery(search, ['api_client_id'])
  const clients = useResource('webhook-clients', loadClients)
  const [form, setForm] = useState({ api_client_id: query.api_client_id ?? '', url: '', description: '' })
  const [types, setTypes] = useState<string[]>([])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const [created, setCreated] = useState<WithSecret | null>(null)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  if (clients.problem) return <ProblemPage problem={clients.problem} onRetry={clients.reload} />
  if (!clients.data) return <Loading what="Loading the API clients" />
  if (created)
    return (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l">Subscription added</h1>
          <SecretShownOnce subscription={created} title={`${clientName(clients.data, created.api_client_id)} is subscribed`} />
          <p class="govuk-body">
            <a class="govuk-link" href={`/admin/webhooks/${created.id}`}>Go to the subscription</a> to send a test message.
          </p>
        </div>
      </div>
    )
  const active = clients.data.filter((c) => c.is_active)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/webhook-subscriptions', {
          body: {
            api_client_id: form.api_client_id || null,
            url: form.url,
            event_types: types as EventType[],
            description: form.description,
          },
        }),
      LABELS,
    )
    setBusy(false)
    if (result.data) setCreated(result.data)
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading="Add a subscription" caption="Webhook subscriptions" errors={errors} onSubmit={submit} busy={busy}
      submitText="Add the subscription and show the secret" back="/admin/webhooks">
      {active.length === 0 ? (
        <p class="govuk-body">
          No API client is registered yet. <a class="govuk-link" href="/admin/api-clients">Register the system</a> first.
        </p>
      ) : (
        <Select name="api_client_id" label="API client" labelClass="govuk-label--s" errors={errors} value={form.api_client_id}
          onChange={set('api_client_id')} hint="The system the messages are for, as registered on the API clients page."
          options={[{ value: '', text: 'Choose a client' }, ...active.map((c) => ({ value: c.id, text: c.name }))]} />
      )}
      <SubscriptionFields form={form} set={set} types={types} setTypes={setTypes} errors={errors} />
      <p class="govuk-body">A new subscription is enabled at once.</p>
    </FormPage>
  )
}

function SubscriptionFields({ form, set, types, setTypes, errors }: {
  form: { url: string; description: string }
  set: (key: 'url' | 'description') => (value: string) => void
  types: string[]
  setTypes: (values: string[]) => void
  errors: FormErrors | null
}) {
  return (
    <>
      <TextInput name="url" label="Address (URL)" labelClass="govuk-label--s" errors={errors} value={form.url} onInput={set('url')}
        type="url" spellcheck={false} hint="Where the messages are sent: an https address on the internet, for example https://integrations.example.gov.uk/pmo" />
      <Checkboxes name="event_types" label="Send a message when" values={types} onChange={setTypes} errors={errors} options={eventOptions()} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" errors={errors} value={form.description}
        onInput={set('description')} rows={2} hint="What the system does with the messages, for the next administrator." />
    </>
  )
}

export function WebhookEdit({ id }: { id: string }) {
  return (
    <Editing name={`webhook-edit-${id}`}
      request={() => api.GET('/api/v1/webhook-subscriptions/{subscription_id}', { params: { path: { subscription_id: id } } })}
      render={(record, etag, reload) => <EditForm existing={record} etag={etag} onReload={reload} />} />
  )
}

function EditForm({ existing, etag, onReload }: { existing: Subscription; etag: string; onReload: () => void }) {
  const [form, setForm] = useState({ url: existing.url, description: existing.description, enabled: existing.enabled ? 'true' : 'false' })
  const [types, setTypes] = useState<string[]>(existing.event_types)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const page = `/admin/webhooks/${existing.id}`
  if (!existing.allowed_actions.includes('edit'))
    return <ProblemPage problem={{ title: 'Not allowed', status: 403, detail: 'You may not change this subscription.' }} />
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.PATCH('/api/v1/webhook-subscriptions/{subscription_id}', {
          params: { path: { subscription_id: existing.id }, header: { 'If-Match': etag } },
          body: { url: form.url, event_types: types as EventType[], description: form.description, enabled: form.enabled === 'true' },
        }),
      LABELS,
    )
    setBusy(false)
    if (result.data) navigate(page)
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading="Change the subscription" caption={existing.url} errors={errors} onReload={onReload} onSubmit={submit}
      busy={busy} submitText="Save the changes" back={page}>
      <SubscriptionFields form={form} set={set} types={types} setTypes={setTypes} errors={errors} />
      <Radios name="enabled" label="Status" errors={errors} value={form.enabled} onChange={set('enabled')}
        hint={existing.disabled_reason ? `It was disabled: ${existing.disabled_reason} Fix the receiving system, enable it, then replay the failed deliveries.` : undefined}
        options={[
          { value: 'true', text: 'Enabled: messages are sent' },
          { value: 'false', text: 'Disabled: nothing is queued for it' },
        ]} />
    </FormPage>
  )
}

interface PageView {
  subscription: Subscription
  etag: string
  clients: Client[]
  deliveries: Schemas['WebhookDeliveryPage']
  attempts: Schemas['WebhookAttemptPage']
}

async function loadPage(id: string): Promise<Loaded<PageView>> {
  const path = { subscription_id: id }
  let etag = ''
  const [subscription, clients, deliveries, attempts] = await Promise.all([
    load(async () => {
      const fetched = await api.GET('/api/v1/webhook-subscriptions/{subscription_id}', { params: { path } })
      etag = fetched.response.headers.get('ETag') ?? ''
      return fetched
    }),
    loadClients(),
    load(() => api.GET('/api/v1/webhook-subscriptions/{subscription_id}/deliveries', { params: { path, query: { limit: 50 } } })),
    load(() => api.GET('/api/v1/webhook-subscriptions/{subscription_id}/attempts', { params: { path, query: { limit: 50 } } })),
  ])
  if (subscription.problem) return subscription
  if (clients.problem) return clients
  if (deliveries.problem) return deliveries
  if (attempts.problem) return attempts
  return { data: { subscription: subscription.data, etag, clients: clients.data, deliveries: deliveries.data, attempts: attempts.data } }
}

export function WebhookPage({ id }: { id: string }) {
  const view = useResource(`webhook-${id}`, () => loadPage(id))
  const actions = useRowActions(view.reload)
  const [rotated, setRotated] = useState<WithSecret | null>(null)
  const [deleting, setDeleting] = useState(false)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the subscription" />
  const { subscription: s, clients, deliveries, attempts } = view.data
  const allowed = (action: Schemas['WebhookSubscriptionAction']) => s.allowed_actions.includes(action)
  const path = { subscription_id: s.id }
  const byDelivery = new Map(deliveries.items.map((d) => [d.id, d]))
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/admin/webhooks">Webhook subscriptions</a>
      </span>
      <h1 class="govuk-heading-l">Subscription of {clientName(clients, s.api_client_id)}</h1>
      {!rotated && <Success text={actions.done} />}
      {rotated && <SecretShownOnce subscription={rotated} title="The subscription has a new secret" />}
      {rotated && rotated.previous_secret_expires_at && (
        <p class="govuk-body">Until {formatDateTime(rotated.previous_secret_expires_at)} each message is also signed with the old secret, so the system can switch over without losing one.</p>
      )}
      <ErrorSummary errors={actions.errors} />
      <SummaryList rows={[
        ['API client', clientName(clients, s.api_client_id)],
        ['Address (URL)', <span class="app-break">{s.url}</span>],
        ['Sent when', <ul class="govuk-list govuk-!-margin-bottom-0">{s.event_types.map((t) => <li key={t}>{eventSentence(t)}</li>)}</ul>],
        ['Description', s.description || NOT_SET],
        ['Status', enabledText(s)],
        ['Old secret also signs until', s.previous_secret_expires_at ? formatDateTime(s.previous_secret_expires_at) : NOT_SET],
        ['Added', formatDateTime(s.created_at)],
        ['Last changed', formatDateTime(s.updated_at)],
      ]} />
      {deleting ? (
        <AskToDelete testId="delete-subscription" heading={<h2 class="govuk-heading-m">Delete this subscription?</h2>}
          explain="Nothing more is sent to this address, and its delivery log is deleted with it. The API client stays."
          request={() => api.DELETE('/api/v1/webhook-subscriptions/{subscription_id}', { params: { path } })}
          onCancel={() => setDeleting(false)} onDeleted={() => navigate('/admin/webhooks')} />
      ) : (
        <div class="govuk-button-group">
          {allowed('edit') && (
            <a class="govuk-button govuk-button--secondary" href={`/admin/webhooks/${s.id}/edit`}>Change the subscription</a>
          )}
          {allowed('ping') && (
            <RowAction label="Send a test ping" what="" onAct={() => actions.act(
              () => api.POST('/api/v1/webhook-subscriptions/{subscription_id}/ping', { params: { path } }),
              () => {
                setRotated(null)
                return 'A test message is queued: the delivery log shows when it is sent.'
              })} />
          )}
          {allowed('rotate_secret') && (
            <RowAction label="Rotate the secret" confirm="Yes, make a new secret" what="" onAct={() => actions.act(
              () => api.POST('/api/v1/webhook-subscriptions/{subscription_id}/rotate-secret', { params: { path } }),
              (result) => {
                setRotated(result)
                return 'The subscription has a new secret.'
              })} />
          )}
          {allowed('delete') && (
            <button type="button" class="govuk-button govuk-button--warning" onClick={() => setDeleting(true)}>Delete</button>
          )}
        </div>
      )}
      {!s.enabled && (
        <p class="govuk-body">A disabled subscription is sent nothing, not even a test message: change it to enabled first.</p>
      )}

      <h2 class="govuk-heading-m">Delivery log</h2>
      <p class="govuk-body">
        Each message sent or waiting to be sent, newest first. The service's worker sends them and tries a failed one again
        for up to three days.
      </p>
      {deliveries.items.length === 0 ? (
        <p class="govuk-body">{NONE_RECORDED}: nothing has been sent yet.</p>
      ) : (
        <Scroll label="Deliveries">
          <table class="govuk-table" data-testid="webhook-deliveries">
            <caption class="govuk-table__caption govuk-table__caption--s">Messages ({deliveries.total})</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Event</th>
                <th scope="col" class="govuk-table__header">Status</th>
                <th scope="col" class="govuk-table__header">Queued</th>
                <th scope="col" class="govuk-table__header">Last attempt</th>
                <th scope="col" class="govuk-table__header">Response code</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Attempts</th>
                <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {deliveries.items.map((d) => (
                <tr class="govuk-table__row" key={d.id}>
                  <th scope="row" class="govuk-table__header">{eventSentence(d.event_type)}{d.replay_of_id ? ' (a replay)' : ''}</th>
                  <td class="govuk-table__cell"><DeliveryTag delivery={d} />{d.last_error && <><br />{d.last_error}</>}</td>
                  <td class="govuk-table__cell">{formatDateTime(d.created_at)}</td>
                  <td class="govuk-table__cell">{d.last_attempt_at ? formatDateTime(d.last_attempt_at) : 'Not tried yet'}</td>
                  <td class="govuk-table__cell">{d.last_status_code ?? NONE_RECORDED}</td>
                  <td class="govuk-table__cell govuk-table__cell--numeric">{d.attempts}</td>
                  <td class="govuk-table__cell">
                    {/* A replay sends as a ping does: only while the subscription is enabled. */}
                    {d.status === 'failed' && allowed('ping') && (
                      <RowAction label="Replay" what={`the ${eventSentence(d.event_type).toLowerCase()} message of ${formatDateTime(d.created_at)}`}
                        onAct={() => actions.act(
                          () => api.POST('/api/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay', {
                            params: { path: { subscription_id: s.id, delivery_id: d.id } },
                          }),
                          () => {
                            setRotated(null)
                            return 'The message is queued again, with the same id: the system can tell it is the same.'
                          })} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <h3 class="govuk-heading-s">Attempts</h3>
      {attempts.items.length === 0 ? (
        <p class="govuk-body">{NONE_RECORDED}: no message has been tried yet.</p>
      ) : (
        <Scroll label="Attempts">
          <table class="govuk-table" data-testid="webhook-attempts">
            <caption class="govuk-table__caption govuk-visually-hidden">Attempts ({attempts.total})</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Time</th>
                <th scope="col" class="govuk-table__header">Event</th>
                <th scope="col" class="govuk-table__header">Outcome</th>
                <th scope="col" class="govuk-table__header">Response code</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Took</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {attempts.items.map((a) => {
                const delivery = byDelivery.get(a.delivery_id)
                return (
                  <tr class="govuk-table__row" key={a.id}>
                    <th scope="row" class="govuk-table__header">{formatDateTime(a.attempted_at)}</th>
                    <td class="govuk-table__cell">{delivery ? eventSentence(delivery.event_type) : NOT_SET}</td>
                    <td class="govuk-table__cell">{a.succeeded ? 'Delivered' : `Failed${a.error ? `: ${a.error}` : ''}`}</td>
                    <td class="govuk-table__cell">{a.status_code ?? 'No answer'}</td>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{a.duration_ms} ms</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  )
}
