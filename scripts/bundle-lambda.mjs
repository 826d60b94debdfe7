// The one way a Lambda package is bundled: `dist/lambda/<name>/index.mjs`, one minified ESM file
// for Node 22 with every dependency inside, so the deployed code is exactly what the tests ran.
// Each package's build.mjs calls it from the package directory (Nx runs targets there), passing
// its own esbuild (a dependency of each Lambda package, not of the workspace root).
import { rmSync } from 'node:fs';

/** Gives an ESM bundle the `require()` its CommonJS dependencies call for Node built-ins. */
export const REQUIRE_SHIM = {
  js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
};

/**
 * With esbuild's `build`, bundles `src/handler.ts` into `dist/lambda/<name>/index.mjs` (with a linked source map),
 * replacing `dist/`, and prints the bundle's size. `requireShim`: dependencies written as
 * CommonJS call `require()` for Node built-ins, which ESM output must provide.
 */
export async function bundleLambda(build, name, { requireShim = false, note = '' } = {}) {
  rmSync('dist', { recursive: true, force: true });
  const result = await build({
    entryPoints: { [`lambda/${name}/index`]: 'src/handler.ts' },
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
    ...(requireShim ? { banner: REQUIRE_SHIM } : {}),
  });
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.mjs')) console.log(`built ${file} (${(bytes / 1024).toFixed(1)} KiB)${note}`);
  }
}
