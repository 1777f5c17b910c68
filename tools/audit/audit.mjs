// Runs graphql-http's GraphQL-over-HTTP server audits against a live Folio
// and prints one line per audit: ok, or the MUST/SHOULD that failed and why.
//
//   node tools/audit/audit.mjs URL
//
// Exits 1 when any audit, MUST or SHOULD, is not ok (CI fails on either);
// needs `npm ci --prefix tools/audit` once.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://HOST:PORT/query');
  process.exit(2);
}
const results = await auditServer({ url });
// MAY audits are reported, never failed on: the spec leaves them open.
const level = (r) => r.name.split(' ')[0];
let failed = 0;
for (const r of results) {
  if (r.status === 'ok') {
    console.log(`ok      ${r.id} ${r.name}`);
    continue;
  }
  if (level(r) !== 'MAY') failed++;
  let why = r.reason;
  if (r.response) {
    let body = '';
    try { body = await r.response.text(); } catch {}
    why += ` (got ${r.response.status} ${r.response.headers.get('content-type') ?? ''}: ${body.slice(0, 200)})`;
  }
  console.log(`${r.status.padEnd(7)} ${r.id} ${r.name}: ${why}`);
}
const summary = ['MUST', 'SHOULD', 'MAY'].map((l) => {
  const rs = results.filter((r) => level(r) === l);
  return `${l} ${rs.filter((r) => r.status === 'ok').length}/${rs.length} ok`;
});
console.log(summary.join(', '));
process.exit(failed ? 1 : 0);
