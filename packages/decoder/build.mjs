// Bundles the Firehose transformation Lambda: one minified ESM file, Node 22, no dependencies
// left to install (the decoder uses only Node built-ins).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { 'lambda/firehose/index': 'src/handler.ts' },
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
});
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.mjs')) console.log(`built ${file} (${(bytes / 1024).toFixed(1)} KiB)`);
}
