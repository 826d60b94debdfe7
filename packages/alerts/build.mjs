// Bundles the alerts Lambda: one minified ESM file for Node 22 with its dependencies inside, and
// the built-in rule pack beside it (dist/lambda/alerts/rules/), validated now so a broken rule
// fails the build, not a cold start. Deployments add their own rules and tenants.yaml there.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { 'lambda/alerts/index': 'src/handler.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  platform: 'node',
  target: 'node22',
  format: 'esm',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; ESM output needs one to exist.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
cpSync('rules', 'dist/lambda/alerts/rules', { recursive: true });
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.mjs')) console.log(`built ${file} (${(bytes / 1024).toFixed(1)} KiB) + rules/`);
}
