// Bundles the alerts Lambda (dependencies inside; the AWS SDK is CommonJS, hence the require()
// shim) with the built-in rule pack beside it (dist/lambda/alerts/rules/). The pack is loaded and
// validated first, by the same loader the Lambda runs at cold start, so a broken rule fails the
// build (and the deploy that runs it), not a cold start. Deployments add their own rules and
// tenants.yaml there.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleLambda, REQUIRE_SHIM } from '../../scripts/bundle-lambda.mjs';

// A failed check leaves no bundle behind: the old one must not be deployed by mistake.
rmSync('dist', { recursive: true, force: true });
const loader = 'dist/rule-check.mjs';
await build({
  entryPoints: ['src/rules/load.ts'],
  outfile: loader,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  banner: REQUIRE_SHIM,
  logLevel: 'warning',
});
try {
  const { loadAlertConfig } = await import(pathToFileURL(loader).href);
  const { rules } = loadAlertConfig({ ruleDirs: ['rules'] });
  console.log(`rule pack: ${rules.length} rules valid`);
} catch (error) {
  console.error(`build: the rule pack in rules/ is invalid\n${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync('dist', { recursive: true, force: true });
}
if (process.exitCode !== 1) {
  await bundleLambda(build, 'alerts', { requireShim: true, note: ' + rules/' });
  cpSync('rules', 'dist/lambda/alerts/rules', { recursive: true });
}
