import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { OpenSearchConfig } from './config.ts';

/**
 * An OpenSearch client for the configured endpoint and auth. The client's own retries are off:
 * `bulkIndex` retries per item with backoff inside the time budget, and two retry layers would
 * multiply each other.
 */
export function createOpenSearchClient(config: OpenSearchConfig, requestTimeoutMs = 30_000): Client {
  const common = {
    node: config.url,
    maxRetries: 0,
    requestTimeout: requestTimeoutMs,
    ...(config.gzip ? { compression: 'gzip' as const } : {}),
  };
  const { auth } = config;
  if (auth.kind === 'sigv4') {
    // The Lambda role's credentials, refreshed by the provider chain before they expire.
    const credentials = defaultProvider();
    return new Client({
      ...common,
      ...AwsSigv4Signer({ region: auth.region, service: auth.service, getCredentials: () => credentials() }),
    });
  }
  if (auth.kind === 'basic') {
    return new Client({ ...common, auth: { username: auth.username, password: auth.password } });
  }
  return new Client(common);
}
