// Drives the playground served by a running Folio in headless Chromium, with
// every request outside that server blocked: the page loads, the explorer
// shows the schema, a token goes into the headers editor, the home-feed tab
// runs, and its result renders; the CommentAdded tab subscribes over a
// WebSocket and shows a comment added meanwhile; then the SignIn tab signs
// every tab in, AddComment carries its token, also after a reload, and the
// CommentAdded tab subscribes again with the token in connection_init.
// Fails on any Content-Security-Policy violation or page error.
//
//   node browser-test.mjs http://127.0.0.1:PORT OUTPUT_DIR
//
// test/e2e/browser_test.go starts a server with a throwaway database and runs this.
// CHROMIUM (default /usr/bin/chromium) may be set, and FOLIO_TOKEN (an access
// token or API key); without one the script signs in as the demo reader.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const [base, outDir = '.'] = process.argv.slice(2);
if (!base) {
  console.error('usage: node browser-test.mjs BASE_URL [OUTPUT_DIR]');
  process.exit(2);
}
const origin = new URL(base).origin;
const problems = [];

// signIn signs in as the development seed's reader and returns the access
// token. (An account made by signUp could not comment, as the test does,
// until its address is verified through the mailed link.)
async function signIn() {
  const res = await fetch(`${origin}/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      query: `mutation ($input: SignInInput!) { signIn(input: $input) { session { accessToken } userErrors { field message } } }`,
      variables: { input: { email: 'reader@demo.folio.example', password: 'folio-demo-password' } },
    }),
  });
  const body = await res.json();
  const accessToken = body?.data?.signIn?.session?.accessToken;
  if (!accessToken) throw new Error(`signIn gave no token: ${JSON.stringify(body)}`);
  return accessToken;
}
const token = `Bearer ${process.env.FOLIO_TOKEN || (await signIn())}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // No network but the server under test.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url.startsWith('data:')) return route.continue();
    problems.push(`blocked a request outside the server: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  const sent = [];
  page.on('request', (req) => {
    if (req.url() === `${origin}/query` && req.method() === 'POST') sent.push(req);
  });
  // The connection_init payloads the page's WebSockets send.
  const inits = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      try {
        const m = JSON.parse(String(payload));
        if (m.type === 'connection_init') inits.push(m.payload ?? {});
      } catch {}
    });
  });

  const res = await page.goto(base + '/', { waitUntil: 'load' });
  const csp = res.headers()['content-security-policy'] || '';
  if (!csp.includes("script-src 'self'")) problems.push(`page CSP is ${JSON.stringify(csp)}`);
  await page.waitForSelector('.graphiql-container', { timeout: 20000 });

  // The tabs hold the example operations; the first is the home feed.
  const tabs = await page.locator('.graphiql-tab').allInnerTexts();
  for (const want of ['HomeFeed', 'ArticlePage', 'Search', 'SignIn', 'SignUp', 'AddComment', 'CommentAdded']) {
    if (!tabs.some((t) => t.includes(want))) problems.push(`no ${want} tab among ${JSON.stringify(tabs)}`);
  }
  await page.locator('.graphiql-tab', { hasText: 'HomeFeed' }).first().click();
  // The explorer opens and lists the schema's root fields (from introspection).
  await page.locator('[aria-label="Show GraphiQL Explorer"]').click();
  try {
    await page.locator('.graphiql-plugin').getByText('articles', { exact: true }).first().waitFor({ timeout: 10000 });
  } catch {
    problems.push('the explorer did not show the schema');
  }

  // Headers editor: open it and put the token in, as a person pasting it would.
  await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
  const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
  await headers.click();
  const typed = await headers.evaluate((el, value) => {
    el.CodeMirror.setValue(value);
    return el.CodeMirror.getValue();
  }, JSON.stringify({ Authorization: token }, null, 2));
  if (!typed.includes(token)) problems.push(`the headers editor holds ${typed}`);

  await page.locator('.graphiql-execute-button').click();
  await page.waitForFunction(
    () => {
      const r = document.querySelector('.result-window .CodeMirror');
      return r && r.CodeMirror && r.CodeMirror.getValue().trim().startsWith('{');
    },
    null,
    { timeout: 20000 },
  );
  const result = JSON.parse(await page.evaluate(() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()));
  const edges = result?.data?.articles?.edges ?? [];
  if (result.errors) problems.push(`the home feed answered errors: ${JSON.stringify(result.errors)}`);
  if (edges.length === 0 || !edges[0].node?.title) problems.push(`the home feed rendered no articles: ${JSON.stringify(result).slice(0, 300)}`);
  const last = sent.at(-1);
  if (!last) problems.push('no POST /query was sent');
  else if ((await last.allHeaders()).authorization !== token) {
    problems.push(`the query went out without the token from the headers editor: ${JSON.stringify(await last.allHeaders())}`);
  }

  await mkdir(outDir, { recursive: true });
  const shot = path.join(outDir, 'playground-home-feed.png');
  await page.screenshot({ path: shot });

  // The CommentAdded tab subscribes over a WebSocket to /query: comments
  // added meanwhile (one every half second until one shows, for at most
  // 15 s) arrive in the result pane. wantAuth is the Authorization its
  // connection_init must carry (none: anonymous). The subscription is
  // stopped once an event showed.
  const watchComments = async (when, wantAuth, shotName) => {
    await page.locator('.graphiql-tab', { hasText: 'CommentAdded' }).first().click();
    await page.waitForFunction(
      () => /\bsubscription CommentAdded\b/.test(document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() ?? ''),
      null,
      { timeout: 10000 },
    );
    await page.evaluate(() => document.querySelector('.result-window .CodeMirror')?.CodeMirror?.setValue(''));
    const initsBefore = inits.length;
    // GraphiQL may still hold the previous tab's operation name a moment
    // after the switch: it then answers "operation X not found" without
    // opening a socket, and the run is repeated, until a deadline.
    const stale = () => page.waitForFunction(
      () => /operation \S+ not found/.test(document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? ''),
      null,
      { timeout: 20000 },
    ).then(() => null, () => undefined);
    const subscribe = async () => {
      const deadline = Date.now() + 20000;
      for (;;) {
        // Neither wait may reject unobserved once the other won.
        const opened = page.waitForEvent('websocket', { timeout: 20000 }).catch(() => undefined);
        await page.locator('.graphiql-execute-button').click();
        const ws = await Promise.race([opened, stale()]);
        if (ws) return ws;
        if (ws === undefined) throw new Error('no WebSocket opened within 20s');
        if (Date.now() > deadline) throw new Error('GraphiQL kept a stale operation name for 20s');
        await page.evaluate(() => document.querySelector('.result-window .CodeMirror')?.CodeMirror?.setValue(''));
      }
    };
    try {
      const ws = await subscribe();
      if (!ws.url().endsWith('/query')) problems.push(`${when}: the subscription opened ${ws.url()}`);
      const shown = () => page.evaluate(() => document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? '');
      const deadline = Date.now() + 15000;
      while (!(await shown()).includes('"commentAdded"') && Date.now() < deadline) {
        await fetch(`${origin}/query`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: token },
          body: JSON.stringify({
            query: 'mutation ($a: ID!) { addComment(input: {articleId: $a, body: "from the browser test"}) { comment { id } } }',
            variables: { a: 'QXJ0aWNsZToxMDAw' },
          }),
        });
        await page.waitForTimeout(500);
      }
      const result = await shown();
      if (!result.includes('"commentAdded"')) problems.push(`${when}: no commentAdded event reached the CommentAdded tab; it shows ${result.slice(0, 300)}`);
      else await page.screenshot({ path: path.join(outDir, shotName) });
      const init = inits.slice(initsBefore).at(-1);
      if (!init) problems.push(`${when}: the subscription sent no connection_init`);
      else if ((init.Authorization ?? null) !== wantAuth) {
        problems.push(`${when}: connection_init carried ${JSON.stringify(init)}, want Authorization ${JSON.stringify(wantAuth)}`);
      }
      // Stop it: the execute button stops a running subscription.
      await page.locator('.graphiql-execute-button').click();
    } catch (err) {
      problems.push(`${when}: the CommentAdded tab opened no WebSocket: ${err.message}`);
    }
  };
  await watchComments('anonymous', null, 'playground-comment-added.png');
  console.log(`rendered ${edges.length} articles; screenshot: ${shot}`);

  // The session: run the SignIn tab, and every tab without a credential of
  // its own sends its token, before a reload and after.
  const run = async (tab, field) => {
    await page.locator('.graphiql-tab', { hasText: tab }).first().click();
    // Execute only once the editor shows the tab's operation: GraphiQL
    // switches the editor a moment after the click.
    await page.waitForFunction(
      (name) => {
        const q = document.querySelector('.graphiql-query-editor .CodeMirror');
        return q && q.CodeMirror && new RegExp(`\\b(query|mutation) ${name}\\b`).test(q.CodeMirror.getValue());
      },
      tab,
      { timeout: 10000 },
    );
    // GraphiQL picks the operation name from the editor a moment after it
    // changes: an answer "operation X not found" means it had not yet, and
    // the run is repeated, until a deadline.
    const deadline = Date.now() + 20000;
    for (;;) {
      await page.locator('.graphiql-execute-button').click();
      const outcome = await page.waitForFunction(
        (f) => {
          const r = document.querySelector('.result-window .CodeMirror');
          if (!r || !r.CodeMirror) return false;
          try {
            const v = JSON.parse(r.CodeMirror.getValue());
            if (Object.hasOwn(v.data ?? {}, f)) return 'done';
            if (/^operation \S+ not found$/.test(v.errors?.[0]?.message ?? '')) return 'stale';
          } catch {}
          return false;
        },
        field,
        { timeout: Math.max(1, deadline - Date.now()) },
      ).then((h) => h.jsonValue()).catch(async (e) => {
        const shown = await page.evaluate(() => document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue());
        throw new Error(`${tab}: no ${field} in the result within 20s; it shows ${String(shown).slice(0, 300)} (${e.message})`);
      });
      if (outcome === 'done') break;
      await page.evaluate(() => { document.querySelector('.result-window .CodeMirror').CodeMirror.setValue(''); });
    }
    return JSON.parse(await page.evaluate(() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()));
  };
  const signedIn = await run('SignIn', 'signIn');
  const issued = signedIn?.data?.signIn?.session?.accessToken;
  if (!issued) problems.push(`the SignIn tab gave no session: ${JSON.stringify(signedIn).slice(0, 300)}`);
  const commentSent = async (when) => {
    const before = sent.length;
    const answer = await run('AddComment', 'addComment');
    if (!answer?.data?.addComment?.comment?.id) problems.push(`${when}: AddComment failed: ${JSON.stringify(answer).slice(0, 300)}`);
    const req = sent.slice(before).at(-1);
    const auth = req && (await req.allHeaders()).authorization;
    if (auth !== `Bearer ${issued}`) problems.push(`${when}: AddComment went out with ${auth}, not the SignIn tab's token`);
  };
  await commentSent('after signing in');
  const badge = await page.locator('.folio-session').innerText();
  if (!badge.includes('@demo_reader')) problems.push(`the session badge reads ${JSON.stringify(badge)}`);
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('.graphiql-container', { timeout: 20000 });
  await commentSent('after a reload');
  const shot2 = path.join(outDir, 'playground-session.png');
  await page.screenshot({ path: shot2 });
  console.log(`signed in through the SignIn tab; AddComment carried the token before and after a reload; screenshot: ${shot2}`);
  await watchComments('signed in', `Bearer ${issued}`, 'playground-comment-added-signed-in.png');
  console.log('the CommentAdded tab subscribed with the session in connection_init');
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('playground browser test: 3 passed, 0 failed');
