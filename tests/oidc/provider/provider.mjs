// A real OpenID provider (oidc-provider, OpenID certified) for the sign-in tests.
//
// Started by tests/oidc/conftest.py (and the Playwright global setup) as
//   node provider.mjs <config.json>
// The config file is the test's: port, clients, signing keys (private JWKs, RS256 and ES256).
// People are read from `accounts_file` at every sign-in, so a test can change someone's
// groups (or remove them) without restarting the provider. Key rotation is a restart with
// new keys on the same port. Prints "listening <issuer>" once it accepts connections.
import { readFileSync } from 'node:fs'
import Provider from 'oidc-provider'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const issuer = `http://127.0.0.1:${config.port}`

function accounts() {
  return JSON.parse(readFileSync(config.accounts_file, 'utf8'))
}

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: config.keys },
  cookies: { keys: [config.cookie_key] },
  // The product reads groups and email from the ID token itself.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
  pkce: { required: () => true },
  features: {
    // The provider's own login page: any known login name, no password.
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // Its guard against requests to special-use addresses would stop back-channel logout
  // calls to the product, which the tests serve on 127.0.0.1.
  fetch: (url, options) => {
    delete options.dispatcher
    return globalThis.fetch(url, options)
  },
  ttl: { IdToken: 600, AccessToken: 600, Session: 3600, Interaction: 600, Grant: 3600 },
  async findAccount(_ctx, id) {
    const person = accounts()[id]
    if (!person) return undefined
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...person }
      },
    }
  },
  // Every client is first-party: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId)
    if (grantId) return ctx.oidc.provider.Grant.find(grantId)
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId })
    grant.addOIDCScope('openid email profile groups')
    await grant.save()
    return grant
  },
})

provider.on('server_error', (_ctx, err) => console.error('server_error', err))
provider.on('backchannel.error', (_client, err) => console.error('backchannel.error', err.message))

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`)
})
