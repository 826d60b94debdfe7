import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { APP_DIR } from './config.ts';

/**
 * The Lambda bundles this program deploys, built by the packages (`nx run-many -t build`; the app's
 * `preview`/`up` targets depend on it). The program reads only `dist/`, never Lambda source.
 */
export const BUNDLES = {
  firehoseProcessor: 'packages/decoder/dist/lambda/firehose',
  indexer: 'packages/indexer/dist/lambda/indexer',
  alerts: 'packages/alerts/dist/lambda/alerts',
} as const;

export type BundleName = keyof typeof BUNDLES;

/** The bundle's directory as a Lambda code archive; fails early, saying how to build it, when absent. */
export function bundleArchive(
  bundle: BundleName,
  repoRoot = resolve(APP_DIR, '../..'),
): pulumi.asset.FileArchive {
  const directory = resolve(repoRoot, BUNDLES[bundle]);
  if (!existsSync(resolve(directory, 'index.mjs'))) {
    throw new Error(
      `The ${bundle} Lambda bundle is missing (${directory}/index.mjs). Build the packages first: ` +
        'pnpm nx run-many -t build (the preview and up targets do this).',
    );
  }
  return new pulumi.asset.FileArchive(directory);
}
