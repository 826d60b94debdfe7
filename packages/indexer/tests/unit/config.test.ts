import { describe, expect, it } from 'vitest';
import { IndexerConfigError, indexerConfigFromEnv, openSearchConfigFromEnv } from '../../src/config.ts';

const base = {
  OPENSEARCH_URL: 'https://search-logs-abc.eu-west-1.es.amazonaws.com',
  AWS_REGION: 'eu-west-1',
  DEAD_LETTER_BUCKET: 'central-logs-dead-letter',
};

describe('indexerConfigFromEnv', () => {
  it('defaults to SigV4 for Amazon OpenSearch Service, with the documented bulk settings', () => {
    const config = indexerConfigFromEnv(base);
    expect(config.opensearch).toEqual({
      url: 'https://search-logs-abc.eu-west-1.es.amazonaws.com',
      auth: { kind: 'sigv4', region: 'eu-west-1', service: 'es' },
      gzip: false,
    });
    expect(config.indexPrefix).toBe('logs');
    expect(config.bulk).toEqual({
      maxBulkBytes: 5 * 1024 * 1024,
      concurrency: 2,
      requestTimeoutMs: 30_000,
      retryBaseMs: 200,
      retryMaxMs: 10_000,
      maxAttempts: 8,
    });
    expect(config.deadLetter).toEqual({ bucket: 'central-logs-dead-letter', prefix: 'dead-letter/indexer/' });
  });

  it('takes basic-auth credentials from the URL and keeps them out of it', () => {
    const config = openSearchConfigFromEnv({
      OPENSEARCH_URL: 'http://admin:s%40cret@127.0.0.1:9200/',
      OPENSEARCH_AUTH: 'basic',
      OPENSEARCH_GZIP: 'true',
    });
    expect(config).toEqual({
      url: 'http://127.0.0.1:9200',
      auth: { kind: 'basic', username: 'admin', password: 's@cret' },
      gzip: true,
    });
  });

  it.each([
    [{ ...base, OPENSEARCH_URL: undefined }, /OPENSEARCH_URL is required/],
    [{ ...base, OPENSEARCH_URL: 'search-logs' }, /OPENSEARCH_URL must be a URL/],
    [{ ...base, OPENSEARCH_URL: 'ftp://x' }, /must be http or https/],
    [{ ...base, AWS_REGION: undefined }, /AWS_REGION is required/],
    [{ ...base, OPENSEARCH_AUTH: 'iam' }, /OPENSEARCH_AUTH must be one of sigv4, basic, none/],
    [{ ...base, OPENSEARCH_AUTH: 'basic' }, /needs OPENSEARCH_USERNAME/],
    [{ ...base, DEAD_LETTER_BUCKET: '' }, /DEAD_LETTER_BUCKET is required/],
    [{ ...base, BULK_MAX_BYTES: '5MB' }, /BULK_MAX_BYTES must be a positive integer/],
    [{ ...base, BULK_CONCURRENCY: '0' }, /BULK_CONCURRENCY must be a positive integer/],
    [{ ...base, RETRY_BASE_MS: '500', RETRY_MAX_MS: '100' }, /RETRY_MAX_MS \(100\) must be ≥ RETRY_BASE_MS/],
    [{ ...base, INDEX_PREFIX: 'Logs' }, /INDEX_PREFIX must be a lowercase/],
    [{ ...base, DECODER_KEEP_ORIGINAL: 'yes' }, /DECODER_KEEP_ORIGINAL must be true or false/],
  ])('refuses a bad deployment with a message naming the variable (%#)', (env, message) => {
    expect(() => indexerConfigFromEnv(env)).toThrow(message);
    try {
      indexerConfigFromEnv(env);
    } catch (error) {
      // The decoder's own variables fail with its error type; everything else is ours.
      expect((error as Error).name).toMatch(/IndexerConfigError|DecoderConfigError/);
    }
  });

  it('accepts TIME_RESERVE_MS=0 and a prefix without a trailing slash', () => {
    const config = indexerConfigFromEnv({ ...base, TIME_RESERVE_MS: '0', DEAD_LETTER_PREFIX: 'dlq' });
    expect(config.timeReserveMs).toBe(0);
    expect(config.deadLetter.prefix).toBe('dlq/');
    expect(new IndexerConfigError('x').name).toBe('IndexerConfigError');
  });
});
