// An OAuth2 client app as its developer would write it with openid-client:
// discover authd by its RFC 8414 metadata, log in with the password grant,
// call /auth/me, refresh, revoke, and see the revoked tokens refused.
// TestOpenIDClient (openidclient_test.go) runs it against a real authd and
// reads the one JSON line it prints. Usage: node client.mjs URL USER PASSWORD
import * as client from 'openid-client'

const [base, username, password] = process.argv.slice(2)
const server = new URL(base)
const out = {}

// The failure a call ends with, as openid-client reports it.
async function failure(call) {
  try {
    await call()
  } catch (err) {
    return { error: err.error ?? err.code ?? String(err), status: err.status ?? err.response?.status ?? 0 }
  }
  return { error: 'none', status: 0 }
}

async function me(config, accessToken) {
  const res = await client.fetchProtectedResource(config, accessToken, new URL('/auth/me', server), 'GET')
  return { status: res.status, username: (await res.json()).username }
}

// authd's clients are public: no client secret (token_endpoint_auth_methods_supported: none).
const config = await client.discovery(server, 'authd-e2e', undefined, client.None(), {
  algorithm: 'oauth2',
  execute: [client.allowInsecureRequests], // the test server speaks plain HTTP on loopback
})
const meta = config.serverMetadata()
out.discovered = {
  issuer: meta.issuer,
  token_endpoint: meta.token_endpoint,
  revocation_endpoint: meta.revocation_endpoint,
  jwks_uri: meta.jwks_uri,
}

// openid-client has no password-grant helper: its generic grant request is
// the documented way to send any other grant type. resource is a parameter
// authd does not use, which it must ignore (RFC 6749 §3.2).
const login = await client.genericGrantRequest(config, 'password', { username, password, resource: 'https://api.example' })
out.login = { token_type: login.token_type, expires_in: login.expires_in, has_refresh: Boolean(login.refresh_token) }
out.me = await me(config, login.access_token)

const refreshed = await client.refreshTokenGrant(config, login.refresh_token)
out.refresh = { rotated: refreshed.refresh_token !== login.refresh_token, expires_in: refreshed.expires_in }
out.me_after_refresh = await me(config, refreshed.access_token)

await client.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: 'refresh_token' })
out.refresh_after_revoke = await failure(() => client.refreshTokenGrant(config, refreshed.refresh_token))
out.me_after_revoke = await failure(() => me(config, refreshed.access_token))
await client.tokenRevocation(config, refreshed.refresh_token) // again: still 200
await client.tokenRevocation(config, 'not-a-token')

console.log(JSON.stringify(out))
