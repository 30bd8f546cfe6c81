// A registry token service for the Features tests: answers GET /token?service=...&scope=... with an
// anonymous JWT granting what the scope asks, signed with the key whose certificate the test's
// docker-registry trusts (auth.token.rootcertbundle). It lets both tools go through the anonymous
// Bearer flow (WWW-Authenticate realm/service/scope) that public registries such as ghcr.io use.
// Usage: node token-server.mjs KEY.pem CERT.pem ISSUER; prints the port it listens on (127.0.0.1).
import { createServer } from 'node:http';
import { createPrivateKey, createSign, X509Certificate, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [keyFile, certFile, issuer] = process.argv.slice(2);
const key = createPrivateKey(readFileSync(keyFile));
const cert = new X509Certificate(readFileSync(certFile));
const b64url = (data) => Buffer.from(data).toString('base64url');

function token(service, scopes) {
  const access = [];
  for (const scope of scopes) {
    const [type, name, actions] = scope.split(':');
    if (type && name && actions) access.push({ type, name, actions: actions.split(',') });
  }
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [cert.raw.toString('base64')] };
  const claims = { iss: issuer, sub: '', aud: service, exp: now + 600, nbf: now - 60, iat: now, jti: randomUUID(), access };
  const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signed).sign(key);
  return `${signed}.${b64url(signature)}`;
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname !== '/token') {
    res.writeHead(404).end();
    return;
  }
  const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' '));
  const t = token(url.searchParams.get('service') || '', scopes);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: t, access_token: t, expires_in: 600 }));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
// The test ends it; a test that dies leaves it for at most an hour.
setTimeout(() => process.exit(0), 3600 * 1000).unref();
