// A real OpenID Connect provider for Bottega's sign-in tests: the certified `oidc-provider`
// package on 127.0.0.1, with a plain login and consent page instead of a user database.
//
// Environment: OIDC_PORT, OIDC_ISSUER, OIDC_CLIENTS (JSON list of client metadata).
// Anyone may sign in under any login name; the name gives the claims: "carla" is
// carla@example.test (verified); names starting "unverified" have an unverified address,
// names starting "noemail" none.
//
// For the failure tests, POST /__test__/mode with one of: normal, tampered, expired,
// wrong-audience, wrong-issuer, wrong-nonce, other-key, unsigned — the ID tokens the token endpoint
// answers with are then altered that way (re-signed with the provider's key, except for
// "tampered" and "other-key", whose signatures no longer match, and "unsigned", alg none).
import { createServer } from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = process.env.OIDC_ISSUER;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');

const KID = 'bottega-test-key';
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };

function claimsFor(login) {
  const claims = { sub: login, preferred_username: login, name: login[0].toUpperCase() + login.slice(1) };
  if (!login.startsWith('noemail')) {
    claims.email = `${login}@example.test`;
    claims.email_verified = !login.startsWith('unverified');
  }
  return claims;
}

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['bottega test provider cookie key'] },
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => claimsFor(id) }),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><h1>${out.error}</h1><p>${out.error_description || ''}</p>`;
  },
});

let mode = 'normal';

function encode(object) {
  return Buffer.from(JSON.stringify(object)).toString('base64url');
}

async function resign(payload, key = privateKey) {
  return new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: KID }).sign(key);
}

async function mangle(idToken) {
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'tampered': {
      const [header, , signature] = idToken.split('.');
      return [header, encode({ ...payload, sub: `${payload.sub}-impostor` }), signature].join('.');
    }
    case 'expired':
      return resign({ ...payload, iat: now - 7200, exp: now - 3600 });
    case 'wrong-audience':
      return resign({ ...payload, aud: 'someone-else' });
    case 'wrong-issuer':
      return resign({ ...payload, iss: 'http://127.0.0.1:9/' });
    case 'wrong-nonce':
      return resign({ ...payload, nonce: 'not-the-nonce-you-sent' });
    case 'unsigned':
      return [encode({ alg: 'none', typ: 'JWT' }), encode(payload), ''].join('.');
    case 'other-key': {
      const other = await jose.generateKeyPair('RS256');
      return resign(payload, other.privateKey);
    }
    default:
      return idToken;
  }
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && mode !== 'normal') {
    ctx.body = { ...ctx.body, id_token: await mangle(ctx.body.id_token) };
  }
});

function page(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Test provider</title><body>${body}</body></html>`);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const prompt = details.prompt.name;
  if (req.method === 'GET') {
    const client = escape(details.params.client_id);
    const body = prompt === 'login'
      ? `<h1 data-prompt="login">Sign in to the test provider</h1>
         <form method="post" action="/interaction/${uid}/login">
           <label for="login">Login name</label> <input id="login" name="login" required autofocus>
           <button type="submit">Sign in</button>
         </form>
         <form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`
      : `<h1 data-prompt="consent">Let ${client} know who you are?</h1>
         <form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
         <form method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>`;
    return page(res, 200, body);
  }
  const form = await readForm(req);
  if (action === 'login') {
    const login = (form.get('login') || '').trim();
    if (!login) return page(res, 400, '<p>Enter a login name.</p>');
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    const { prompt: { details: missing }, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  return provider.interactionFinished(
    req, res,
    { error: 'access_denied', error_description: 'End-User aborted interaction' },
    { mergeWithLastSubmission: false },
  );
}

const handle = provider.callback();
const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__test__/mode' && req.method === 'POST') {
      mode = (await readForm(req)).get('mode') || 'normal';
      res.writeHead(204).end();
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    handle(req, res);
  } catch (error) {
    page(res, 500, `<p>${escape(error.message)}</p>`);
  }
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
