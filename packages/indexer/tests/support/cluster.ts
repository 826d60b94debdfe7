// Test-side access to the run's OpenSearch node (provided by the global setup).
import type { Client } from '@opensearch-project/opensearch';
import { inject } from 'vitest';
import { createOpenSearchClient } from '../../src/client.ts';
import { openSearchConfigFromEnv } from '../../src/config.ts';
import { ensureTemplates } from '../../src/templates.ts';

/** The shared node's URL; basic auth when OPENSEARCH_URL carried credentials. */
export function clusterClient(url: string = inject('opensearchUrl')): Client {
  const auth = new URL(url).username ? 'basic' : 'none';
  return createOpenSearchClient(openSearchConfigFromEnv({ OPENSEARCH_URL: url, OPENSEARCH_AUTH: auth }));
}

/** Fresh templates under `prefix` (one per test file, so files never see each other's indices). */
export async function freshPrefix(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => undefined);
  await ensureTemplates(client, { prefix, replicas: 0 });
}

/** Documents under `prefix`, after a refresh. */
export async function countDocuments(client: Client, prefix: string, query?: object): Promise<number> {
  await client.indices.refresh({ index: `${prefix}-*` });
  const response = await client.count({ index: `${prefix}-*`, ...(query ? { body: { query } } : {}) });
  return response.body.count;
}
