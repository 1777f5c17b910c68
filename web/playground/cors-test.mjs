// A browser app on another origin calls a running Folio, in headless
// Chromium: a page served from http://localhost:PORT (as a Vite dev server
// would serve it) sends a query with headers that need a preflight
// (Folio-Dry-Run, X-Folio-CSRF) and reads the headers Folio writes for it
// (RateLimit-Remaining, X-Request-ID); then it signs in and sends the same
// keyed request twice with Authorization and Idempotency-Key, and reads
// Idempotent-Replayed on the second answer. A page from
// http://evil.test:PORT is refused by the browser.
//
//   node cors-test.mjs http://127.0.0.1:PORT
//
// test/e2e/browser_test.go runs this against a development server.
import { chromium } from 'playwright-core';
import http from 'node:http';

const [base] = process.argv.slice(2);
if (!base) {
  console.error('usage: node cors-test.mjs BASE_URL');
  process.exit(2);
}
const problems = [];

// The "frontend": one empty page, on a port of its own.
const app = http.createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title>'));
await new Promise((ok) => app.listen(0, '127.0.0.1', ok));
const port = app.address().port;

// call runs in the page: a query, and what the page can read of the answer.
async function call(folio) {
  try {
    const res = await fetch(`${folio}/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Folio-CSRF': '1', 'Folio-Dry-Run': 'false' },
      body: JSON.stringify({ query: '{ categories { totalCount } }' }),
    });
    return {
      status: res.status,
      remaining: res.headers.get('RateLimit-Remaining'),
      requestId: res.headers.get('X-Request-ID'),
      body: await res.json(),
    };
  } catch (err) {
    return { refused: String(err) };
  }
}

// signedIn runs in the page: sign in, then ask who the token speaks for
// twice under one Idempotency-Key; the second answer is the first replayed.
async function signedIn({ folio, email, password, key }) {
  const post = (body, headers = {}) =>
    fetch(`${folio}/query`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  try {
    const res = await post({
      query: 'mutation ($e: String!, $p: String!) { signIn(input: {email: $e, password: $p}) { session { accessToken } } }',
      variables: { e: email, p: password },
    });
    const token = (await res.json())?.data?.signIn?.session?.accessToken;
    if (!token) return { refused: 'signIn gave no token' };
    const headers = { Authorization: `Bearer ${token}`, 'Idempotency-Key': key };
    const answers = [];
    for (let i = 0; i < 2; i++) {
      const r = await post({ query: '{ viewer { handle } }' }, headers);
      answers.push({ status: r.status, replayed: r.headers.get('Idempotent-Replayed'), body: await r.json() });
    }
    return { answers };
  } catch (err) {
    return { refused: String(err) };
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--host-resolver-rules=MAP evil.test 127.0.0.1'],
});
try {
  const page = await browser.newPage();

  await page.goto(`http://localhost:${port}/`);
  const ok = await page.evaluate(call, base);
  if (ok.refused || ok.status !== 200) problems.push(`localhost:${port}: ${JSON.stringify(ok)}`);
  else {
    if (typeof ok.body?.data?.categories?.totalCount !== 'number') problems.push(`localhost: no data: ${JSON.stringify(ok.body)}`);
    if (!ok.remaining) problems.push('localhost: RateLimit-Remaining is not readable');
    if (!ok.requestId) problems.push('localhost: X-Request-ID is not readable');
  }

  const key = `cors-test-${Math.random().toString(36).slice(2)}`;
  const auth = await page.evaluate(signedIn, { folio: base, email: 'reader@demo.folio.example', password: 'folio-demo-password', key });
  if (auth.refused) problems.push(`localhost, signed in: ${auth.refused}`);
  else {
    const [first, second] = auth.answers;
    if (first.body?.data?.viewer?.handle !== 'demo_reader') problems.push(`localhost: the token was not sent or not accepted: ${JSON.stringify(first)}`);
    if (first.replayed !== null) problems.push(`localhost: the first keyed answer reads Idempotent-Replayed ${first.replayed}`);
    if (second.replayed !== 'true') problems.push(`localhost: Idempotent-Replayed is not readable on the replay: ${JSON.stringify(second)}`);
  }

  await page.goto(`http://evil.test:${port}/`);
  const evil = await page.evaluate(call, base);
  if (!evil.refused) problems.push(`evil.test was allowed: ${JSON.stringify(evil)}`);
} finally {
  await browser.close();
  app.close();
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('CORS browser test: 1 passed, 0 failed');
