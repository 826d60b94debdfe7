import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { envReader } from '@central-logging/decoder';
import type { Dataset } from '@central-logging/log-schema';
import type { BulkOptions } from '../bulk.ts';
import { defaultCheckpointPath, replayIdentity } from './checkpoint.ts';
import { parseAccount, parseDataset, parseTime, type ReplayFilter } from './filter.ts';
import { REPLAY_DEFAULTS, type ReplayOptions } from './replay.ts';

/** The CLI's help text. */
export const USAGE = `usage: pnpm replay --bucket B [options]

Re-indexes archived logs from S3 (the Firehose archive, its error prefix, or the indexer's
dead letters) into OpenSearch. Idempotent: documents already there count as duplicates.

what to read
  --bucket B               archive bucket (required)
  --prefix P               key prefix to list, e.g. archive/ (default: whole bucket)
  --since T                documents at or after T: 2023-11-14 (UTC) or 2023-11-14T10:00:00Z
  --until T                documents before T (exclusive)
  --account ID             CloudWatch Logs owner account (the account= partition); repeatable
                           (partitions of other accounts are not even listed)
  --dataset D              aws.vpcflow, cloudtrail, …; repeatable (each document's: every
                           dataset= folder is read, as one payload may mix datasets)
  --day-margin N           read partitions up to N days outside --since/--until (default 1)
  --max-objects N          stop after N objects (resume later from the checkpoint)
  --max-object-mib N       an object read whole (up to 8 MiB stored) inflating beyond N MiB is
                           not read: it fails the run and is not checkpointed, so the same command
                           with a larger N reads it (default ${REPLAY_DEFAULTS.maxObjectBytes / 1024 / 1024}); larger objects are streamed

where to
  --opensearch-url URL     default OPENSEARCH_URL; auth from OPENSEARCH_AUTH etc. as for the Lambda
  --index-prefix P         default INDEX_PREFIX, else logs
  --no-templates           do not create index templates when the cluster has none for the prefix
  --dead-letter-dir DIR    dead letters as files (default ./replay-dead-letters)
  --dead-letter-bucket B   dead letters to S3 instead, under --dead-letter-prefix (default dead-letter/replay/)

how
  --dry-run                list, read, decode and count; index and write nothing
  --concurrency N          objects at once (default ${REPLAY_DEFAULTS.concurrency})
  --checkpoint FILE        progress file (default .replay-checkpoints/<bucket>-<hash of the arguments>.json)
  --restart                ignore the checkpoint and read everything again
  --endpoint URL           S3-compatible endpoint (path-style addressing)
  --region R               S3 region (default AWS_REGION or the profile's)
  --json                   print the summary as JSON on stdout
  --quiet                  no progress display
  -h, --help

environment: OPENSEARCH_* and AWS_REGION as for the indexer Lambda, INDEX_PREFIX, DECODER_* (decode
as the pipeline did), BULK_* and RETRY_* (bulk size and retries; replay retries 12 rounds by default),
and the AWS SDK's credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, instance role) for S3.

exit status: 0 all handled, 1 something failed (see the summary; run again to retry),
2 bad usage, 130 interrupted (run again to resume)`;

/** A mistake in the command line: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where dead letters go. */
export type DeadLetterTarget =
  | { readonly kind: 'dir'; readonly dir: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

/** The command line, understood: what `replay()` gets, and what the CLI builds clients from. */
export interface ReplayCommand {
  readonly help: boolean;
  readonly options: ReplayOptions;
  readonly s3: { readonly endpoint?: string | undefined; readonly region?: string | undefined };
  /** As given (it may carry credentials); undefined in a dry run without one. */
  readonly opensearchUrl?: string | undefined;
  readonly deadLetters: DeadLetterTarget;
  readonly json: boolean;
  readonly quiet: boolean;
}

const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Parses the replay command line (strict: unknown options are errors). `env` supplies
 * OPENSEARCH_URL and INDEX_PREFIX; relative paths are resolved against `cwd` (the CLI passes
 * INIT_CWD, the directory `pnpm replay` was typed in). Throws {@link UsageError}.
 */
export function parseReplayArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): ReplayCommand {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        bucket: { type: 'string' },
        prefix: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        account: { type: 'string', multiple: true },
        dataset: { type: 'string', multiple: true },
        'day-margin': { type: 'string' },
        'max-objects': { type: 'string' },
        'max-object-mib': { type: 'string' },
        'opensearch-url': { type: 'string' },
        'index-prefix': { type: 'string' },
        'no-templates': { type: 'boolean', default: false },
        'dead-letter-dir': { type: 'string' },
        'dead-letter-bucket': { type: 'string' },
        'dead-letter-prefix': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        checkpoint: { type: 'string' },
        restart: { type: 'boolean', default: false },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help;
  const bucket = values.bucket;
  if (bucket === undefined || bucket === '') {
    if (help) return helpOnly();
    throw new UsageError('--bucket is required');
  }
  const attempt = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };

  const since =
    values.since === undefined ? undefined : attempt(() => parseTime(values.since as string, '--since'));
  const until =
    values.until === undefined ? undefined : attempt(() => parseTime(values.until as string, '--until'));
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError(`--since (${values.since}) must be before --until (${values.until})`);
  }
  const accounts = listValues(values.account).map((a) => attempt(() => parseAccount(a)));
  const datasets = listValues(values.dataset).map((d) => attempt(() => parseDataset(d)));
  const filter: ReplayFilter = {
    since,
    until,
    accounts: accounts.length > 0 ? new Set(accounts) : undefined,
    datasets: datasets.length > 0 ? new Set<Dataset>(datasets) : undefined,
  };

  const dryRun = values['dry-run'];
  const prefix = values.prefix ?? '';
  const indexPrefix = values['index-prefix'] ?? nonEmpty(env['INDEX_PREFIX']) ?? 'logs';
  if (!INDEX_PREFIX.test(indexPrefix)) {
    throw new UsageError(
      `--index-prefix must be a lower-case index name prefix (a-z, 0-9, '.', '_', '-'), got ${JSON.stringify(indexPrefix)}`,
    );
  }
  const opensearchUrl = values['opensearch-url'] ?? nonEmpty(env['OPENSEARCH_URL']);
  if (opensearchUrl === undefined && !dryRun) {
    throw new UsageError(
      'OpenSearch is not configured: set OPENSEARCH_URL or pass --opensearch-url (or use --dry-run)',
    );
  }
  const target = opensearchUrl === undefined ? undefined : attempt(() => withoutCredentials(opensearchUrl));

  const concurrency = integer(values.concurrency, '--concurrency', 1, 64) ?? REPLAY_DEFAULTS.concurrency;
  const maxObjects = integer(values['max-objects'], '--max-objects', 1, Number.MAX_SAFE_INTEGER);
  const dayMargin = integer(values['day-margin'], '--day-margin', 0, 366);
  const maxObjectMib = integer(values['max-object-mib'], '--max-object-mib', 1, 2048);

  const deadLetters = deadLetterTarget(values, cwd);
  if (deadLetters.kind === 's3' && deadLetters.bucket === bucket && overlaps(deadLetters.prefix, prefix)) {
    // New dead letters would be listed by this very replay, and re-read, and dead-lettered again.
    throw new UsageError(
      `--dead-letter-prefix ${JSON.stringify(deadLetters.prefix)} overlaps the replayed prefix ${JSON.stringify(prefix)} in the same bucket`,
    );
  }

  const identity = replayIdentity({ bucket, prefix, filter, indexPrefix, target });
  const checkpointPath = resolve(
    cwd,
    values.checkpoint ?? defaultCheckpointPath(identity, resolve(cwd, '.replay-checkpoints')),
  );

  const bulk = bulkFromEnv(env);
  const options: ReplayOptions = {
    bucket,
    prefix,
    filter,
    dryRun,
    concurrency,
    indexPrefix,
    templates: !values['no-templates'],
    bulk,
    checkpoint: { path: checkpointPath, restart: values.restart },
    ...(target === undefined ? {} : { target }),
    ...(maxObjects === undefined ? {} : { maxObjects }),
    ...(dayMargin === undefined ? {} : { dayMarginDays: dayMargin }),
    ...(maxObjectMib === undefined ? {} : { maxObjectBytes: maxObjectMib * 1024 * 1024 }),
  };
  return {
    help,
    options,
    s3: { endpoint: values.endpoint, region: values.region },
    opensearchUrl,
    deadLetters,
    json: values.json,
    quiet: values.quiet,
  };
}

/**
 * The Lambda's bulk and retry variables (BULK_MAX_BYTES, BULK_CONCURRENCY, BULK_REQUEST_TIMEOUT_MS,
 * RETRY_BASE_MS, RETRY_MAX_MS, RETRY_MAX_ATTEMPTS), so an operator tunes replay the same way;
 * unset ones keep replay's defaults.
 */
function bulkFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Partial<Omit<BulkOptions, 'deadline'>> {
  const read = envReader(env, (message) => new UsageError(message));
  const entries: Array<[keyof BulkOptions, number | undefined]> = [
    ['maxBulkBytes', read.integer('BULK_MAX_BYTES')],
    ['concurrency', read.integer('BULK_CONCURRENCY')],
    ['requestTimeoutMs', read.integer('BULK_REQUEST_TIMEOUT_MS')],
    ['retryBaseMs', read.integer('RETRY_BASE_MS', { allowZero: true })],
    ['retryMaxMs', read.integer('RETRY_MAX_MS', { allowZero: true })],
    ['maxAttempts', read.integer('RETRY_MAX_ATTEMPTS')],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

function helpOnly(): ReplayCommand {
  return {
    help: true,
    options: { bucket: '' },
    s3: {},
    deadLetters: { kind: 'dir', dir: '' },
    json: false,
    quiet: false,
  };
}

function deadLetterTarget(
  values: { 'dead-letter-dir'?: string; 'dead-letter-bucket'?: string; 'dead-letter-prefix'?: string },
  cwd: string,
): DeadLetterTarget {
  const dir = values['dead-letter-dir'];
  const bucket = values['dead-letter-bucket'];
  if (dir !== undefined && bucket !== undefined) {
    throw new UsageError('--dead-letter-dir and --dead-letter-bucket exclude each other');
  }
  if (bucket === undefined) {
    if (values['dead-letter-prefix'] !== undefined)
      throw new UsageError('--dead-letter-prefix needs --dead-letter-bucket');
    return { kind: 'dir', dir: resolve(cwd, dir ?? 'replay-dead-letters') };
  }
  const prefix = values['dead-letter-prefix'] ?? 'dead-letter/replay/';
  return { kind: 's3', bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

/** One prefix lists keys the other does too. */
function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** Repeated options and comma-separated lists alike: `--account 1 --account 2`, `--account 1,2`. */
function listValues(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function integer(text: string | undefined, option: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The URL without `user:pass@` and trailing slash: what a checkpoint may record. */
function withoutCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `the OpenSearch URL must be a URL like https://host:443, got ${JSON.stringify(url)}`,
    );
  }
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}
