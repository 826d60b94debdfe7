import { decoderOptionsFromEnv, envReader, type DecoderOptions, type Env } from '@central-logging/decoder';
import { DEFAULT_BULK_OPTIONS, type BulkOptions } from './bulk.ts';

/** A deployment mistake the indexer refuses to start with. */
export class IndexerConfigError extends Error {
  override readonly name = 'IndexerConfigError';
}

export type OpenSearchAuth =
  | { readonly kind: 'sigv4'; readonly region: string; readonly service: 'es' | 'aoss' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'none' };

export interface OpenSearchConfig {
  /** `https://search-….eu-west-1.es.amazonaws.com`, or `http://127.0.0.1:9200` locally. */
  readonly url: string;
  readonly auth: OpenSearchAuth;
  /** gzip request bodies: less network, more CPU; worth it for a VPC domain across AZs. */
  readonly gzip: boolean;
}

export interface IndexerConfig {
  readonly opensearch: OpenSearchConfig;
  readonly indexPrefix: string;
  readonly bulk: Omit<BulkOptions, 'deadline' | 'now' | 'sleep' | 'random'>;
  /** Kept from the invocation's time for dead letters and the response. */
  readonly timeReserveMs: number;
  readonly deadLetter: { readonly bucket: string; readonly prefix: string };
  readonly metricsNamespace: string;
  /** Also emit `AccountEvents` per CloudWatch Logs owner account (for "account went quiet" alarms). */
  readonly metricsByAccount: boolean;
  readonly decoder: DecoderOptions;
}

/**
 * The indexer's whole configuration, read once at cold start. Throws {@link IndexerConfigError}
 * naming the variable for anything missing or malformed.
 *
 * | variable | default | |
 * |---|---|---|
 * | `OPENSEARCH_URL` | required | endpoint with scheme; `user:pass@` allowed for basic auth |
 * | `OPENSEARCH_AUTH` | `sigv4` | `sigv4` (Amazon OpenSearch Service), `basic`, `none` |
 * | `OPENSEARCH_SIGV4_SERVICE` | `es` | `es` for a domain, `aoss` for Serverless |
 * | `AWS_REGION` | required for sigv4 | set by Lambda |
 * | `OPENSEARCH_USERNAME`/`OPENSEARCH_PASSWORD` | | basic auth, for a local or self-managed cluster |
 * | `OPENSEARCH_GZIP` | `false` | gzip bulk request bodies |
 * | `INDEX_PREFIX` | `logs` | indices are `<prefix>-<dataset>-yyyy.MM.dd` |
 * | `BULK_MAX_BYTES` | 5242880 | upper bound of one bulk body |
 * | `BULK_CONCURRENCY` | 2 | bulk requests in flight |
 * | `BULK_REQUEST_TIMEOUT_MS` | 30000 | per request |
 * | `RETRY_BASE_MS`/`RETRY_MAX_MS`/`RETRY_MAX_ATTEMPTS` | 200/10000/8 | jittered exponential backoff |
 * | `TIME_RESERVE_MS` | 10000 | invocation time kept for dead letters and the response |
 * | `DEAD_LETTER_BUCKET` | required | where documents that can never index go |
 * | `DEAD_LETTER_PREFIX` | `dead-letter/indexer/` | |
 * | `METRICS_NAMESPACE` | `CentralLogging` | CloudWatch namespace of the EMF metrics |
 * | `METRICS_BY_ACCOUNT` | `false` | also `AccountEvents` per owner account (quiet-account alarms) |
 * | `DECODER_*` | | the decoder's variables (packages/decoder/README.md) |
 */
export function indexerConfigFromEnv(env: Env): IndexerConfig {
  const read = envReader(env, (message) => new IndexerConfigError(message));
  const opensearch = openSearchConfigFromEnv(env);
  const indexPrefix = read.string('INDEX_PREFIX') ?? 'logs';
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(indexPrefix)) {
    read.fail(
      `INDEX_PREFIX must be a lowercase OpenSearch index name prefix, got ${JSON.stringify(indexPrefix)}`,
    );
  }
  const retryBaseMs = read.integer('RETRY_BASE_MS') ?? DEFAULT_BULK_OPTIONS.retryBaseMs;
  const retryMaxMs = read.integer('RETRY_MAX_MS') ?? DEFAULT_BULK_OPTIONS.retryMaxMs;
  if (retryMaxMs < retryBaseMs)
    read.fail(`RETRY_MAX_MS (${retryMaxMs}) must be ≥ RETRY_BASE_MS (${retryBaseMs})`);

  const bucket = read.string('DEAD_LETTER_BUCKET') ?? read.fail('DEAD_LETTER_BUCKET is required');
  const prefix = read.string('DEAD_LETTER_PREFIX') ?? 'dead-letter/indexer/';

  return {
    opensearch,
    indexPrefix,
    bulk: {
      maxBulkBytes: read.integer('BULK_MAX_BYTES') ?? DEFAULT_BULK_OPTIONS.maxBulkBytes,
      concurrency: read.integer('BULK_CONCURRENCY') ?? DEFAULT_BULK_OPTIONS.concurrency,
      requestTimeoutMs: read.integer('BULK_REQUEST_TIMEOUT_MS') ?? DEFAULT_BULK_OPTIONS.requestTimeoutMs,
      retryBaseMs,
      retryMaxMs,
      maxAttempts: read.integer('RETRY_MAX_ATTEMPTS') ?? DEFAULT_BULK_OPTIONS.maxAttempts,
    },
    timeReserveMs: read.integer('TIME_RESERVE_MS', { allowZero: true }) ?? 10_000,
    deadLetter: { bucket, prefix: prefix.endsWith('/') || prefix === '' ? prefix : `${prefix}/` },
    metricsNamespace: read.string('METRICS_NAMESPACE') ?? 'CentralLogging',
    metricsByAccount: read.boolean('METRICS_BY_ACCOUNT') ?? false,
    decoder: decoderOptionsFromEnv(env),
  };
}

/**
 * The OpenSearch connection alone (`OPENSEARCH_*`, `AWS_REGION`): what replay and the local
 * pipeline share with the Lambda.
 */
export function openSearchConfigFromEnv(env: Env): OpenSearchConfig {
  const read = envReader(env, (message) => new IndexerConfigError(message));
  const url =
    read.string('OPENSEARCH_URL') ?? read.fail('OPENSEARCH_URL is required (the OpenSearch endpoint)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return read.fail(`OPENSEARCH_URL must be a URL like https://host:443, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    read.fail(`OPENSEARCH_URL must be http or https, got ${parsed.protocol}`);
  }

  const authKind = read.oneOf('OPENSEARCH_AUTH', ['sigv4', 'basic', 'none'] as const) ?? 'sigv4';
  let auth: OpenSearchAuth;
  if (authKind === 'sigv4') {
    const region =
      read.string('AWS_REGION') ??
      read.fail('AWS_REGION is required for OPENSEARCH_AUTH=sigv4 (Lambda sets it)');
    auth = {
      kind: 'sigv4',
      region,
      service: read.oneOf('OPENSEARCH_SIGV4_SERVICE', ['es', 'aoss'] as const) ?? 'es',
    };
  } else if (authKind === 'basic') {
    const username = read.string('OPENSEARCH_USERNAME') ?? decodeURIComponent(parsed.username);
    const password = read.string('OPENSEARCH_PASSWORD') ?? decodeURIComponent(parsed.password);
    if (!username || !password) {
      read.fail(
        'OPENSEARCH_AUTH=basic needs OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD (or user:pass@ in the URL)',
      );
    }
    auth = { kind: 'basic', username, password };
  } else {
    auth = { kind: 'none' };
  }
  // Credentials never travel in the URL the client logs.
  parsed.username = '';
  parsed.password = '';

  return { url: parsed.toString().replace(/\/$/, ''), auth, gzip: read.boolean('OPENSEARCH_GZIP') ?? false };
}
