// Bundles the indexer Lambda with its dependencies inside (OpenSearch client, S3 client,
// credential chain), which are CommonJS: hence the require() shim.
import { build } from 'esbuild';
import { bundleLambda } from '../../scripts/bundle-lambda.mjs';

await bundleLambda(build, 'indexer', { requireShim: true });
