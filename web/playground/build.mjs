// Builds the playground into internal/playground/dist, which the server
// embeds. Run `npm --prefix web/playground run build` after changing anything
// here and commit the result; CI rebuilds and fails if dist/ is stale.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const outdir = here('../../internal/playground/dist');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { playground: here('src/index.jsx') },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  jsx: 'automatic',
  loader: { '.graphql': 'text' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  keepNames: true, // GraphiQL titles its icons after their components' names
  logLevel: 'info',
});
await copyFile(here('src/index.html'), `${outdir}/index.html`);
