// A service's URL through asExternalUri. Only the origin is resolved (http://127.0.0.1:PORT/), and the
// service's own path and query (/tree?token=...) are put back on the answer: desktop VS Code keeps them
// itself, but port-forwarding front ends (code-server's /proxy/PORT/ or PORT.domain) answer with a
// base of their own and drop them. Pure, so it is tested without VS Code.

export function serviceOrigin(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/`;
}

export function joinExternal(external: string, url: string): string {
  const base = new URL(external);
  const original = new URL(url);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  base.pathname = basePath + original.pathname.replace(/^\/+/, '');
  // Query parameters of the forwarder's answer (rare) stay; the service's own (the token) are added.
  original.searchParams.forEach((v, k) => base.searchParams.set(k, v));
  base.hash = original.hash;
  return base.toString();
}
