// Drives the reader example (examples/reader, built with `vite build`) in
// headless Chromium against a running Folio: the page comes from one
// origin (http://localhost:PORT, as a frontend's server would serve it) and
// calls Folio on another, so every request is a real cross-origin one.
// The home feed renders and "Load more" appends a second page; an article
// opens; signing in returns to it; a comment is posted and shows, and is
// still there, still signed in, after a reload. Fails on any page error,
// console error or request outside the two origins.
//
//   node reader-test.mjs APP_URL FOLIO_URL OUTPUT_DIR
//
// test/e2e/reader_example_test.go builds the app, serves it and runs this.
// CHROMIUM (default /usr/bin/chromium) may be set, and FOLIO_EMAIL and
// FOLIO_PASSWORD (default: the development seed's reader).
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const [app, folio, outDir = '.'] = process.argv.slice(2);
if (!app || !folio) {
  console.error('usage: node reader-test.mjs APP_URL FOLIO_URL [OUTPUT_DIR]');
  process.exit(2);
}
const appOrigin = new URL(app).origin;
const folioOrigin = new URL(folio).origin;
if (appOrigin === folioOrigin) {
  console.error('the app and Folio must be on different origins');
  process.exit(2);
}
const email = process.env.FOLIO_EMAIL || 'reader@demo.folio.example';
const password = process.env.FOLIO_PASSWORD || 'folio-demo-password';
const problems = [];
const step = (what) => console.log(`- ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1100 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(appOrigin + '/') || url.startsWith(folioOrigin + '/') || url.startsWith('data:')) return route.continue();
    problems.push(`blocked a request outside the app and Folio: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  // Every GraphQL request, to check what went out and what came back.
  const calls = [];
  page.on('requestfinished', async (req) => {
    if (req.url() === `${folioOrigin}/query` && req.method() === 'POST') calls.push(req);
  });

  // The home feed, then a second page.
  await page.goto(`${app}/#/`);
  const cards = page.locator('.card');
  await cards.nth(9).waitFor();
  const first = await cards.count();
  await page.getByRole('button', { name: 'Load more' }).click();
  await cards.nth(first).waitFor();
  const more = await cards.count();
  if (more <= first) problems.push(`"Load more" left ${more} articles, had ${first}`);
  const titles = await page.locator('.card h2').allInnerTexts();
  if (new Set(titles).size !== titles.length) problems.push(`the feed lists an article twice: ${JSON.stringify(titles)}`);
  const feedCall = calls.find((c) => JSON.parse(c.postData()).variables?.after);
  if (!feedCall) problems.push('no feed request carried an after cursor');
  else {
    const res = await feedCall.response();
    const headers = await res.allHeaders();
    if (headers['access-control-allow-origin'] !== appOrigin) {
      problems.push(`Folio answered the feed with Access-Control-Allow-Origin ${headers['access-control-allow-origin']}`);
    }
  }
  step(`the feed shows ${first} articles, then ${more} after "Load more"`);

  // An article, signed out: its comments and a link to sign in.
  const title = titles[0];
  await page.locator('.card h2 a').first().click();
  await page.locator('h1', { hasText: title }).waitFor();
  await page.locator('.comments h2').waitFor();
  const slug = decodeURIComponent(new URL(page.url()).hash.replace('#/articles/', ''));
  step(`opened "${title}" (${slug})`);

  await page.locator('.comments').getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.locator('form').getByRole('button', { name: 'Sign in' }).click();
  // Back on the article, signed in.
  await page.locator('h1', { hasText: title }).waitFor();
  const as = await page.locator('label[for=comment-body]').innerText();
  if (!/^Comment as @\w+/.test(as)) problems.push(`after signing in the form reads ${JSON.stringify(as)}`);
  step(`signed in as ${email}; the form reads "${as}"`);

  // Post a comment: it shows at the end of the list, counted.
  const countBefore = await page.locator('.comments h2').innerText();
  const words = `Posted from the reader example in Chromium (${Math.random().toString(36).slice(2, 8)}).`;
  await page.locator('#comment-body').fill(words);
  await page.getByRole('button', { name: 'Post comment' }).click();
  const last = page.locator('.comment').last();
  try {
    await last.filter({ hasText: words }).waitFor();
  } catch {
    problems.push(`the new comment did not show; the last one reads ${JSON.stringify(await last.innerText())}`);
  }
  const countAfter = await page.locator('.comments h2').innerText();
  if (parseInt(countAfter, 10) !== parseInt(countBefore, 10) + 1) problems.push(`the count went from "${countBefore}" to "${countAfter}"`);
  const post = calls.find((c) => c.postData()?.includes('AddComment'));
  const auth = post && (await post.allHeaders()).authorization;
  if (!auth?.startsWith('Bearer ')) problems.push(`addComment went out with Authorization ${auth}`);
  step(`posted a comment; the heading went from "${countBefore}" to "${countAfter}"`);

  await mkdir(outDir, { recursive: true });
  const shot = path.join(outDir, 'reader-comment.png');
  await page.screenshot({ path: shot, fullPage: true });

  // After a reload the comment comes from Folio, and the session from localStorage.
  await page.reload();
  await page.locator('.comment', { hasText: words }).waitFor();
  await page.locator('label[for=comment-body]').waitFor();
  step(`after a reload the comment is still there, still signed in; screenshot: ${shot}`);

  // Signing out ends the session on Folio too. A tab that still holds the
  // old token (put back here) is refused, forgets it and reads signed out.
  const stale = await page.evaluate(() => localStorage.getItem('folio-reader-session'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('header').getByRole('link', { name: 'Sign in' }).waitFor();
  await page.evaluate((s) => localStorage.setItem('folio-reader-session', s), stale);
  await page.goto(`${app}/#/articles/${encodeURIComponent(slug)}`);
  await page.reload();
  await page.locator('.comment', { hasText: words }).waitFor();
  await page.locator('header').getByRole('link', { name: 'Sign in' }).waitFor();
  if (await page.evaluate(() => localStorage.getItem('folio-reader-session'))) problems.push('the refused session was kept');
  step('signed out; a stale copy of the session was refused and forgotten');
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('reader browser test: 1 passed, 0 failed');
