import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { Checkboxes, ErrorSummary, Loading, SummaryList, TextArea, TextInput } from '../components/ui'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'

const PATH = '/api/v1/organisation/identity-provider'
const LABELS = {
  slug: 'Sign-in address',
  issuer: 'Issuer',
  client_id: 'Client id',
  client_secret: 'Client secret',
  groups_claim: 'Groups claim',
  group_roles: 'Groups and roles',
  email_domains: 'Email domains',
  tenant_ids: 'Entra ID tenants',
}

type Mapping = Schemas['IdentityProviderGroupRole']

/** "group = role" or "group = role @ directorate id", one a line. */
export function parseMappings(text: string): Mapping[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [group, rest = ''] = line.split(/\s*=\s*/, 2)
      const [role, directorate] = rest.split(/\s*@\s*/, 2)
      return { group: (group ?? '').trim(), role: (role ?? '').trim() as Schemas['Role'], directorate_id: directorate?.trim() || null }
    })
}

export function formatMappings(mappings: Mapping[]): string {
  return mappings.map((m) => `${m.group} = ${m.role}${m.directorate_id ? ` @ ${m.directorate_id}` : ''}`).join('\n')
}

const list = (text: string) => text.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean)

interface Form {
  slug: string
  issuer: string
  client_id: string
  client_secret: string
  groups_claim: string
  group_roles: string
  email_domains: string
  tenant_ids: string
  options: string[]
}

const EMPTY: Form = {
  slug: '', issuer: '', client_id: '', client_secret: '', groups_claim: 'groups', group_roles: '',
  email_domains: '', tenant_ids: '', options: ['local_passwords_allowed'],
}

function toForm(provider: Schemas['IdentityProviderPublic']): Form {
  return {
    slug: provider.slug,
    issuer: provider.issuer,
    client_id: provider.client_id,
    client_secret: '',
    groups_claim: provider.groups_claim,
    group_roles: formatMappings(provider.group_roles),
    email_domains: provider.email_domains.join(', '),
    tenant_ids: provider.tenant_ids.join(', '),
    options: [
      ...(provider.create_unknown_users ? ['create_unknown_users'] : []),
      ...(provider.local_passwords_allowed ? ['local_passwords_allowed'] : []),
    ],
  }
}

/** The council's OpenID Connect provider (admin only): the client secret is write-only. */
export function AdminIdentityProvider({ nav }: { nav?: preact.ComponentChildren }) {
  const [provider, setProvider] = useState<Schemas['IdentityProviderPublic'] | null | undefined>(undefined)
  const [etag, setEtag] = useState<string | null>(null)
  const [form, setForm] = useState<Form>(EMPTY)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const read = async () => {
    try {
      const { data, error, response } = await api.GET(PATH)
      if (response.status === 404) {
        setProvider(null)
        setForm(EMPTY)
      } else if (data) {
        setProvider(data)
        setEtag(response.headers.get('ETag'))
        setForm(toForm(data))
      } else setErrors(toFormErrors(await problemFrom(response, error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    }
  }
  useEffect(() => {
    document.title = 'Identity provider – Administration – Change portfolio'
    void read()
  }, [])

  const set = (key: keyof Form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setSaved(null)
    const body: Schemas['IdentityProviderSettings'] = {
      slug: form.slug.trim(),
      issuer: form.issuer.trim(),
      client_id: form.client_id.trim(),
      client_secret: form.client_secret || null,
      groups_claim: form.groups_claim.trim(),
      group_roles: parseMappings(form.group_roles),
      create_unknown_users: form.options.includes('create_unknown_users'),
      local_passwords_allowed: form.options.includes('local_passwords_allowed'),
      email_domains: list(form.email_domains),
      tenant_ids: list(form.tenant_ids),
    }
    try {
      const { data, error, response } = await api.PUT(PATH, {
        body,
        params: { header: provider && etag ? { 'If-Match': etag } : {} },
      })
      if (data) {
        setErrors(null)
        setProvider(data)
        setEtag(response.headers.get('ETag'))
        setForm(toForm(data))
        setSaved('The identity provider is saved. People can sign in with their council account.')
      } else setErrors(toFormErrors(await problemFrom(response, error), LABELS))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }
  const remove = async () => {
    const { response, error } = await api.DELETE(PATH)
    if (response.ok) {
      setSaved('Directory sign-in is switched off; people sign in with passwords.')
      await read()
    } else setErrors(toFormErrors(await problemFrom(response, error)))
  }

  return (
    <>
      <h1 class="govuk-heading-l">Identity provider</h1>
      {nav}
      <ErrorSummary errors={errors} />
      {saved && (
        <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="saved-title">
          <div class="govuk-notification-banner__header">
            <h2 class="govuk-notification-banner__title" id="saved-title">Success</h2>
          </div>
          <div class="govuk-notification-banner__content">
            <p class="govuk-notification-banner__heading">{saved}</p>
          </div>
        </div>
      )}
      {provider === undefined ? (
        <Loading />
      ) : (
        <>
          {provider && (
            <SummaryList
              rows={[
                ['Sign-in address', <a href={provider.sign_in_url}>{provider.sign_in_url}</a>],
                ['Redirect URI to register', <code>{provider.redirect_uri}</code>],
                ['Client secret', provider.client_secret_set ? 'Stored (never shown)' : 'Not set'],
              ]}
            />
          )}
          <p class="govuk-body">
            Officers sign in with their council account (Microsoft Entra ID or another OpenID Connect
            provider). Register the redirect URI above with the provider first.
          </p>
          <form onSubmit={submit} noValidate>
            <TextInput name="slug" label={LABELS.slug} hint="Letters, digits and hyphens: people start at /sign-in/<this>."
              value={form.slug} onInput={set('slug')} errors={errors} width="20" spellcheck={false} />
            <TextInput name="issuer" label={LABELS.issuer}
              hint="For example https://login.microsoftonline.com/<tenant id>/v2.0"
              value={form.issuer} onInput={set('issuer')} errors={errors} spellcheck={false} />
            <TextInput name="client_id" label={LABELS.client_id} value={form.client_id} onInput={set('client_id')}
              errors={errors} spellcheck={false} />
            <TextInput name="client_secret" label={LABELS.client_secret} type="password" autocomplete="new-password"
              hint={provider?.client_secret_set ? 'A secret is stored and never shown. Leave blank to keep it.' : 'Shown only to the provider; never displayed again.'}
              value={form.client_secret} onInput={set('client_secret')} errors={errors} />
            <TextInput name="groups_claim" label={LABELS.groups_claim} hint="The ID token claim that lists the person's groups."
              value={form.groups_claim} onInput={set('groups_claim')} errors={errors} width="20" spellcheck={false} />
            <TextArea name="group_roles" label={LABELS.group_roles}
              hint="One a line: group = role, or group = role @ directorate id. Roles: admin, pmo, sponsor, project_manager, finance, member, democratic_services, viewer."
              value={form.group_roles} onInput={set('group_roles')} errors={errors} rows={5} />
            <TextInput name="email_domains" label={LABELS.email_domains}
              hint="Separated by commas: people typing such an address are offered the council account."
              value={form.email_domains} onInput={set('email_domains')} errors={errors} spellcheck={false} />
            <TextInput name="tenant_ids" label={LABELS.tenant_ids} hint="Entra ID multi-tenant apps only, separated by commas."
              value={form.tenant_ids} onInput={set('tenant_ids')} errors={errors} spellcheck={false} />
            <Checkboxes name="options" label="Options" values={form.options} onChange={(options) => setForm({ ...form, options })}
              errors={errors}
              options={[
                { value: 'create_unknown_users', text: 'Create an account at first sign-in for people without one' },
                { value: 'local_passwords_allowed', text: 'People may still sign in with a password' },
              ]} />
            <div class="govuk-button-group">
              <button type="submit" class="govuk-button" disabled={busy}>Save identity provider</button>
              {provider && (
                <button type="button" class="govuk-button govuk-button--warning" onClick={remove}>
                  Stop directory sign-in
                </button>
              )}
            </div>
          </form>
        </>
      )}
    </>
  )
}
