// Bundles the Firehose transformation Lambda. The decoder uses only Node built-ins, so nothing is
// left to install and no require() shim is needed.
import { build } from 'esbuild';
import { bundleLambda } from '../../scripts/bundle-lambda.mjs';

await bundleLambda(build, 'firehose');
