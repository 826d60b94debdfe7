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

/** Terms buckets of `field` under `index`, optionally only those seen at least `minDocCount` times. */
export async function termsOf(
  client: Client,
  index: string,
  field: string,
  minDocCount = 1,
): Promise<{ key: string; doc_count: number }[]> {
  await client.indices.refresh({ index });
  // Through the transport: the generated aggregation types of client 3.x lack `terms.field`.
  const response = await client.transport.request({
    method: 'POST',
    path: `/${index}/_search`,
    body: { size: 0, aggs: { t: { terms: { field, size: 100, min_doc_count: minDocCount } } } },
  });
  const body = response.body as { aggregations: { t: { buckets: { key: string; doc_count: number }[] } } };
  return body.aggregations.t.buckets;
}

/** The value, or a failed test saying what was missing (instead of a non-null assertion). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}
