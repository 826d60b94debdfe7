// Replay against real servers: an S3-API server (s3rver, AWS SDK v3 client) holding archive
// objects made by the decoder's own Firehose transformation, and the run's OpenSearch node.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createDecoder,
  transformFirehoseEvent,
  type DataMessage,
  type FirehoseTransformationEvent,
  type KinesisStreamEvent,
  type TransformOptions,
} from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { startS3, type S3Server } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  fileDeadLetterSink,
  s3DeadLetterSink,
  type DeadLetter,
  type DeadLetterSink,
} from '../../src/dead-letter.ts';
import { readCheckpoint } from '../../src/replay/checkpoint.ts';
import type { ProgressReporter } from '../../src/replay/progress.ts';
import { replay, type ReplayDeps, type ReplayOptions } from '../../src/replay/replay.ts';
import { replayFailed, type ReplaySummary } from '../../src/replay/summary.ts';
import { clusterClient, countDocuments, present } from '../support/cluster.ts';

const ARCHIVE = 'central-archive';
const DEAD_LETTER_BUCKET = 'central-dead-letters';
/** Single objects for one case each, apart from the archive whose counts the tests rely on. */
const CASES = 'central-archive-cases';
const OWNER_A = '111122223333';
const OWNER_B = '444455556666';
const POWERTOOLS_OWNER = '231436140809';
const FIXTURES = new URL('../../../decoder/tests/fixtures/', import.meta.url);
const NOT_JSON = 'this line is not JSON';

const decoder = createDecoder();
const client = clusterClient();
let s3: S3Server;
let work: string;

// ---------------------------------------------------------------------------------------------
// The archive: fixture lines → CloudWatch Logs payloads → transformFirehoseEvent → S3 objects laid
// out as the delivery stream writes them (dynamic partitions from the records' partition keys).

interface Archive {
  /** Every document a payload in the archive decodes to: what a replay must index. */
  readonly documents: LogDocument[];
  /**
   * The archived document OpenSearch refuses: a string where the template maps an object
   * (`source`). A malformed value inside a field, even an object for an `ip`, is only ignored:
   * the templates set ignore_malformed.
   */
  readonly poisoned: LogDocument;
  /** The archive object holding the non-JSON line and the poisoned document. */
  readonly damagedKey: string;
  readonly errorKey: string;
  readonly keys: string[];
}

const SOURCES: ReadonlyArray<{ owner: string; logGroup: string; files: readonly string[] }> = [
  {
    owner: OWNER_A,
    logGroup: '/vpc/flow-logs',
    files: ['vpcflow/test-extra-samples.log', 'vpcflow/test-tcp-flag-sequence.log'],
  },
  {
    owner: OWNER_A,
    logGroup: '/aws/route53resolver/query-logs',
    files: ['route53_resolver/integrations_test-route53.log'],
  },
  {
    owner: OWNER_B,
    logGroup: 'aws-cloudtrail-logs-org',
    files: [
      'cloudtrail/integrations_test-console-login-json.log',
      'cloudtrail/integrations_test-put-object-json.log',
      'cloudtrail/integrations_test-us-gov-arn.log',
      'cloudtrail/integrations_test-assume-role-aws-service-json.log',
    ],
  },
  { owner: OWNER_B, logGroup: '/aws/events/guardduty', files: ['guardduty/integrations_test-guardduty.log'] },
  { owner: OWNER_B, logGroup: '/vpc/flow-logs', files: ['vpcflow/test-tgw-samples.log'] },
];

// 56-digit CloudWatch-shaped event ids, apart from the ones in the Powertools capture.
let nextId = 49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_001n;

function message(
  owner: string,
  logGroup: string,
  lines: readonly string[],
  time = 1_700_000_000_000,
): DataMessage {
  return {
    messageType: 'DATA_MESSAGE',
    owner,
    logGroup,
    logStream: 'replay-test',
    subscriptionFilters: ['central-logging'],
    logEvents: lines.map((line, i) => ({ id: String(nextId++), timestamp: time + i, message: line })),
  };
}

const encode = (m: unknown): string => gzipSync(JSON.stringify(m)).toString('base64');

function fixtureLines(path: string): string[] {
  return readFileSync(new URL(path, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
}

/**
 * A real payload carries events of one short span; the fixture files mix years. Split each file
 * into one payload per UTC day of its documents, so partitions are dated as in production.
 */
function payloadsByDay(owner: string, logGroup: string, lines: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const line of lines) {
    const probe = decoder.decodeMessage({
      ...message(owner, logGroup, [line]),
      logEvents: [{ id: '1', timestamp: 1, message: line }],
    });
    const day = probe.kind === 'data' ? (probe.documents[0]?.['@timestamp'].slice(0, 10) ?? 'none') : 'none';
    groups.set(day, [...(groups.get(day) ?? []), line]);
  }
  return [...groups.values()].map((group) => encode(message(owner, logGroup, group)));
}

function firehoseEvent(payloads: readonly string[]): FirehoseTransformationEvent {
  return {
    invocationId: randomUUID(),
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:999988887777:deliverystream/central-archive',
    region: 'eu-west-1',
    records: payloads.map((data, i) => ({
      recordId: `record-${i}`,
      approximateArrivalTimestamp: 1_704_888_000_000,
      data,
    })),
  };
}

async function put(bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function buildArchive(): Promise<Archive> {
  const documents: LogDocument[] = [];
  const keys: string[] = [];
  const objects = new Map<string, Buffer[]>();
  const failed: Array<{ data: string; reason: string }> = [];

  const deliver = (payloads: readonly string[], options?: TransformOptions): void => {
    for (const payload of payloads) {
      const result = decoder.decodeData(payload);
      if (result.kind === 'data') documents.push(...result.documents);
    }
    const { response, summary } = transformFirehoseEvent(firehoseEvent(payloads), decoder, options);
    // One S3 object per partition and invocation: Firehose's buffer flush.
    const flush = randomUUID();
    response.records.forEach((record) => {
      if (record.result === 'Ok' && record.metadata) {
        const { account, dataset, date } = record.metadata.partitionKeys;
        const key = `archive/account=${account}/dataset=${dataset}/${date}/central-archive-1-${date.replaceAll('/', '-')}-${flush}.json.gz`;
        objects.set(key, [...(objects.get(key) ?? []), Buffer.from(record.data, 'base64')]);
      } else if (record.result === 'ProcessingFailed') {
        const reason = summary.failures.find((f) => f.recordId === record.recordId)?.reason ?? 'unknown';
        failed.push({ data: record.data, reason });
      }
    });
  };

  for (const { owner, logGroup, files } of SOURCES) {
    for (const file of files) deliver(payloadsByDay(owner, logGroup, fixtureLines(file)));
  }
  // Powertools' captured Kinesis records: real Lambda payloads of another account.
  const powertools = JSON.parse(
    readFileSync(new URL('envelopes/powertools_kinesisStreamCloudWatchLogsEvent.json', FIXTURES), 'utf8'),
  ) as KinesisStreamEvent;
  deliver(powertools.Records.map((r) => r.kinesis.data));
  // The error prefix: a payload that never decodes, and one that decoded but did not fit the
  // response (limit 1 byte: every record that decodes is response_too_large), both kept whole.
  const reports = Array.from(
    { length: 5 },
    (_, i) =>
      `REPORT RequestId: 8edab1f8-7d34-4a8e-a965-00000000000${i}\tDuration: ${i + 1}.5 ms\tBilled Duration: ${i + 2} ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t`,
  );
  deliver(
    [encode(message(OWNER_B, '/aws/lambda/orders-api', reports)), Buffer.from('not gzip').toString('base64')],
    {
      limitBytes: 1,
    },
  );
  expect(failed.map((f) => f.reason).sort()).toEqual(['not_compressed', 'response_too_large']);

  // Damage one archive object: a line that is not JSON, and a document the cluster refuses.
  const damagedKey = [...objects.keys()].find((k) => k.includes('dataset=aws.vpcflow')) as string;
  const sample = documents.find((d) => d.event.dataset === 'aws.vpcflow') as LogDocument;
  const poisoned: LogDocument = {
    ...sample,
    event: { ...sample.event, id: 'poisoned-1' },
    source: '10.0.0.1' as unknown as LogDocument['source'],
  };
  objects.get(damagedKey)?.push(gzipSync(`${NOT_JSON}\n`), gzipSync(`${JSON.stringify(poisoned)}\n`));

  for (const [key, members] of objects) {
    await put(ARCHIVE, key, Buffer.concat(members));
    keys.push(key);
  }
  const errorLines = failed.map(({ data, reason }) =>
    JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: 1_704_888_000_000,
      errorCode: 'Lambda.ProcessingFailedStatus',
      errorMessage: reason,
      attemptEndingTimestamp: 1_704_888_001_000,
      rawData: data,
      lambdaArn: 'arn:aws:lambda:eu-west-1:999988887777:function:central-decoder:$LATEST',
    }),
  );
  const errorKey = `errors/processing-failed/2024/01/10/12/central-archive-1-2024-01-10-12-00-00-${randomUUID()}`;
  await put(ARCHIVE, errorKey, errorLines.join('\n') + '\n');
  keys.push(errorKey);
  return { documents, poisoned, damagedKey, errorKey, keys: keys.sort() };
}

// ---------------------------------------------------------------------------------------------

/** Removes a prefix's indices and templates, so each test starts from an empty cluster. */
async function cleanPrefix(prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => undefined);
  const index = await client.indices.getIndexTemplate({ name: `${prefix}-*` }, { ignore: [404] });
  for (const t of (index.body as { index_templates?: Array<{ name: string }> }).index_templates ?? []) {
    await client.indices.deleteIndexTemplate({ name: t.name });
  }
  const component = await client.cluster.getComponentTemplate({ name: `${prefix}-*` }, { ignore: [404] });
  for (const t of (component.body as { component_templates?: Array<{ name: string }> }).component_templates ??
    []) {
    await client.cluster.deleteComponentTemplate({ name: t.name });
  }
}

let archive: Archive;
let deadLetterDir: string;

function options(indexPrefix: string, overrides: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    bucket: ARCHIVE,
    indexPrefix,
    templateOptions: { replicas: 0 },
    bulk: { retryBaseMs: 20 },
    ...overrides,
  };
}

function deps(overrides: Partial<ReplayDeps> = {}): ReplayDeps {
  return {
    s3: s3.client,
    opensearch: client,
    decoder,
    deadLetters: fileDeadLetterSink(deadLetterDir),
    ...overrides,
  };
}

async function readLetters(dir: string): Promise<DeadLetter[]> {
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ndjson.gz'));
  const letters: DeadLetter[] = [];
  for (const file of files) {
    const text = gunzipSync(await readFile(join(dir, file))).toString('utf8');
    letters.push(
      ...text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as DeadLetter),
    );
  }
  return letters;
}

const selectedKeys = () => archive.keys.length;

/** Nothing lost silently: every listed object and every read document is in exactly one count. */
function expectBalanced(summary: ReplaySummary): void {
  const { objects: o, documents: d } = summary;
  expect(o.skippedByFilter + o.skippedByCheckpoint + o.read + o.failed + o.notRead).toBe(o.listed);
  expect(d.outsideFilter + d.selected).toBe(d.read);
  if (!summary.dryRun) expect(d.indexed + d.duplicates + d.deadLettered + d.failed).toBe(d.selected);
}

beforeAll(async () => {
  s3 = await startS3({ buckets: [ARCHIVE, DEAD_LETTER_BUCKET, CASES] });
  work = await mkdtemp(join(tmpdir(), 'replay-it-'));
  deadLetterDir = join(work, 'dead-letters');
  archive = await buildArchive();
});

afterAll(async () => {
  await s3?.stop();
  await client.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('replay of a Firehose archive in S3', () => {
  it('builds an archive that looks like production', () => {
    // Sanity of the corpus itself, so the numbers below mean something.
    expect(archive.documents.length).toBeGreaterThan(60);
    expect(new Set(archive.documents.map((d) => d.event.id)).size).toBe(archive.documents.length);
    expect(new Set(archive.documents.map((d) => d.event.dataset))).toEqual(
      new Set(['aws.vpcflow', 'aws.route53_resolver', 'aws.cloudtrail', 'aws.guardduty', 'aws.lambda']),
    );
    expect(new Set(archive.documents.map((d) => d.aws.cloudwatch.owner))).toEqual(
      new Set([OWNER_A, OWNER_B, POWERTOOLS_OWNER]),
    );
    expect(archive.keys.length).toBeGreaterThan(10);
  });

  it('lists the archive as written', async () => {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: ARCHIVE }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(archive.keys);
    const object = await s3.client.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: archive.damagedKey }));
    const bytes = await object.Body?.transformToByteArray();
    const text = gunzipSync(Buffer.from(bytes ?? [])).toString('utf8');
    expect(text).toContain(NOT_JSON);
  });

  it('indexes every archived document, creating the templates, and dead-letters what cannot index', async () => {
    const prefix = 'it-replay';
    await cleanPrefix(prefix);
    const checkpoint = join(work, 'main.json');
    const summary = await replay(options(prefix, { checkpoint: { path: checkpoint } }), deps());
    expectBalanced(summary);

    expect(summary).toMatchObject({
      status: 'completed',
      templates: 'created',
      undecodable: 2,
      deadLetterObjects: 0,
      objects: {
        listed: selectedKeys(),
        skippedByFilter: 0,
        skippedByCheckpoint: 0,
        read: selectedKeys(),
        failed: 0,
        notRead: 0,
        partitionsNotListed: 0,
      },
      documents: {
        // Everything the payloads decode to, plus the poisoned document.
        read: archive.documents.length + 1,
        outsideFilter: 0,
        selected: archive.documents.length + 1,
        indexed: archive.documents.length,
        duplicates: 0,
        deadLettered: 1,
        failed: 0,
      },
    });
    expect(replayFailed(summary)).toBe(false);
    expect(await countDocuments(client, prefix)).toBe(archive.documents.length);

    // Replay into an empty cluster got the real mappings: source.ip is an ip, not dynamic text.
    const mapping = await client.indices.getFieldMapping({
      index: `${prefix}-aws.vpcflow-*`,
      fields: ['source.ip'],
    });
    const types = Object.values(mapping.body).map(
      (m) => (m.mappings['source.ip']?.mapping as Record<string, { type?: string }>)?.ip?.type,
    );
    expect(new Set(types)).toEqual(new Set(['ip']));

    // Every object is checkpointed at the ETag it was read at.
    const file = await readCheckpoint(checkpoint);
    expect(Object.keys(file?.completed ?? {}).sort()).toEqual(archive.keys);
  });

  it('dead-letters a line that is not JSON, a corrupt payload and a refused document, each with its reason', async () => {
    const letters = await readLetters(deadLetterDir);
    expect(letters).toHaveLength(3);
    const byType = Object.fromEntries(letters.map((l) => [l.type, l]));

    const line = byType['decode_error:invalid_json'];
    expect(line?.reason).toMatch(/^line is not JSON: /);
    expect(line?.source).toMatchObject({
      bucket: ARCHIVE,
      key: archive.damagedKey,
      line: expect.stringMatching(/^line \d+$/),
    });
    expect(Buffer.from(line?.data ?? '', 'base64').toString()).toBe(NOT_JSON);

    const payload = byType['decode_error:not_compressed'];
    expect(payload?.source).toMatchObject({ key: archive.errorKey, line: 'line 2' });
    // The error-prefix line itself, rawData inside: replayable on its own.
    expect(JSON.parse(Buffer.from(payload?.data ?? '', 'base64').toString())).toMatchObject({
      rawData: expect.any(String),
    });

    const refused = byType['mapper_parsing_exception'];
    expect(refused).toMatchObject({ status: 400, id: 'poisoned-1', document: archive.poisoned });
    expect(refused?.index).toMatch(/^it-replay-aws\.vpcflow-\d{4}\.\d{2}\.\d{2}$/);
    expect(refused?.reason).toMatch(/400 mapper_parsing_exception/);
  });

  it('streams objects in chunks when asked, and ends exactly as reading them whole', async () => {
    const prefix = 'it-rstream';
    await cleanPrefix(prefix);
    const dir = join(work, 'streamed');
    const summary = await replay(
      // Every object streamed, three documents a chunk: most objects take several bulk requests.
      options(prefix, { read: { streamAboveBytes: 0, chunkDocuments: 3 } }),
      deps({ deadLetters: fileDeadLetterSink(dir) }),
    );
    expectBalanced(summary);
    expect(summary).toMatchObject({
      status: 'completed',
      undecodable: 2,
      objects: { listed: selectedKeys(), read: selectedKeys(), failed: 0 },
      documents: {
        read: archive.documents.length + 1,
        indexed: archive.documents.length,
        deadLettered: 1,
        failed: 0,
      },
    });
    expect(summary.bulkRequests).toBeGreaterThan(selectedKeys());
    expect(await countDocuments(client, prefix)).toBe(archive.documents.length);
    // The same three dead letters, from the same lines, with the same data.
    const shape = (l: DeadLetter) => `${l.type} ${JSON.stringify(l.source)} ${l.data ?? ''} ${l.id ?? ''}`;
    const streamed = await readLetters(dir);
    expect(streamed.map(shape).sort()).toEqual((await readLetters(deadLetterDir)).map(shape).sort());
  });

  it('is safe to run twice: the same count, every document a duplicate', async () => {
    const prefix = 'it-replay';
    const again = await replay(
      options(prefix, { checkpoint: { path: join(work, 'main.json'), restart: true } }),
      deps({
        deadLetters: fileDeadLetterSink(join(work, 'again')),
      }),
    );
    expectBalanced(again);
    expect(again.status).toBe('completed');
    expect(again.templates).toBe('present');
    expect(again.documents).toMatchObject({
      indexed: 0,
      duplicates: archive.documents.length,
      deadLettered: 1,
      failed: 0,
    });
    expect(await countDocuments(client, prefix)).toBe(archive.documents.length);

    // Without --restart the checkpoint says it is all done: nothing is even read.
    const resumed = await replay(options(prefix, { checkpoint: { path: join(work, 'main.json') } }), deps());
    expectBalanced(resumed);
    expect(resumed.objects).toMatchObject({ skippedByCheckpoint: selectedKeys(), read: 0 });
    expect(resumed.documents.read).toBe(0);
  });

  it.each([
    [
      'account',
      'without listing other accounts',
      { accounts: new Set([OWNER_B]) },
      (d: LogDocument) => d.aws.cloudwatch.owner === OWNER_B,
    ],
    [
      'dataset',
      // A dataset= folder names each payload's first document only.
      'reading every object',
      { datasets: new Set(['aws.cloudtrail', 'aws.guardduty'] as const) },
      (d: LogDocument) => ['aws.cloudtrail', 'aws.guardduty'].includes(d.event.dataset),
    ],
    [
      'time range',
      'without listing other years, months and days',
      // until falls between two events of the Powertools capture, 9 ms apart.
      { since: Date.parse('2021-01-01T00:00:00Z'), until: Date.parse('2022-11-10T15:10:27.020Z') },
      (d: LogDocument) => {
        const t = Date.parse(d['@timestamp']);
        return t >= Date.parse('2021-01-01T00:00:00Z') && t < Date.parse('2022-11-10T15:10:27.020Z');
      },
    ],
  ] as const)('selects by %s: exactly the matching documents, %s', async (name, listing, filter, wanted) => {
    const prefix = `it-rfilter-${name.replace(' ', '-')}`;
    await cleanPrefix(prefix);
    const expected = archive.documents.filter(wanted);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(archive.documents.length);

    const summary = await replay(
      options(prefix, { filter }),
      deps({ deadLetters: fileDeadLetterSink(join(work, name)) }),
    );
    expectBalanced(summary);
    expect(summary.status).toBe('completed');
    // Account partitions, and years, months and days, outside the filter are not even listed.
    if (listing === 'reading every object') {
      expect(summary.objects).toMatchObject({ listed: archive.keys.length, partitionsNotListed: 0 });
    } else {
      expect(summary.objects.partitionsNotListed).toBeGreaterThan(0);
      expect(summary.objects.listed).toBeLessThan(archive.keys.length);
    }
    expect(summary.documents.indexed).toBe(expected.length);
    expect(summary.documents.failed).toBe(0);
    expect(await countDocuments(client, prefix)).toBe(expected.length);
    const ids = await client.search({ index: `${prefix}-*`, body: { size: 1000, _source: false } });
    expect(ids.body.hits.hits.map((h) => h._id).sort()).toEqual(expected.map((d) => d.event.id).sort());
  });

  it('resumes from the checkpoint after stopping at maxObjects', async () => {
    const prefix = 'it-rresume';
    await cleanPrefix(prefix);
    const checkpoint = join(work, 'resume.json');
    const first = await replay(
      options(prefix, { checkpoint: { path: checkpoint }, concurrency: 1, maxObjects: 5 }),
      deps(),
    );
    expectBalanced(first);
    expect(first.status).toBe('stopped');
    expect(first.objects.read).toBe(5);
    expect(first.objects.notRead).toBeGreaterThan(0);
    const afterFirst = await countDocuments(client, prefix);
    expect(afterFirst).toBe(first.documents.indexed);
    expect(afterFirst).toBeLessThan(archive.documents.length);

    const second = await replay(options(prefix, { checkpoint: { path: checkpoint } }), deps());
    expectBalanced(second);
    expect(second.status).toBe('completed');
    expect(second.objects.skippedByCheckpoint).toBe(5);
    expect(second.objects.read).toBe(selectedKeys() - 5);
    // Nothing read twice: the second run indexed exactly what the first did not.
    expect(second.documents.duplicates).toBe(0);
    expect(first.documents.indexed + second.documents.indexed).toBe(archive.documents.length);
    expect(await countDocuments(client, prefix)).toBe(archive.documents.length);
  });

  it('stops on an abort signal, finishing the objects in flight, and resumes', async () => {
    const prefix = 'it-rabort';
    await cleanPrefix(prefix);
    const checkpoint = join(work, 'abort.json');
    const controller = new AbortController();
    const progress: ProgressReporter = {
      update: (s) => {
        if (s.objectsDone >= 3) controller.abort();
      },
      finish: () => undefined,
    };
    const first = await replay(
      options(prefix, { checkpoint: { path: checkpoint }, concurrency: 2 }),
      deps({
        progress,
        signal: controller.signal,
      }),
    );
    expectBalanced(first);
    expect(first.status).toBe('interrupted');
    expect(first.objects.read).toBeGreaterThanOrEqual(3);
    expect(first.objects.read).toBeLessThan(selectedKeys());
    expect(Object.keys((await readCheckpoint(checkpoint))?.completed ?? {})).toHaveLength(first.objects.read);

    const second = await replay(options(prefix, { checkpoint: { path: checkpoint } }), deps());
    expectBalanced(second);
    expect(second.status).toBe('completed');
    expect(second.objects.skippedByCheckpoint + second.objects.read).toBe(selectedKeys());
    expect(await countDocuments(client, prefix)).toBe(archive.documents.length);
  });

  it('--dry-run reads and counts, and indexes and writes nothing', async () => {
    const prefix = 'it-rdry';
    await cleanPrefix(prefix);
    const dir = join(work, 'dry-dead-letters');
    const checkpoint = join(work, 'dry.json');
    const summary = await replay(
      options(prefix, { dryRun: true, checkpoint: { path: checkpoint } }),
      deps({
        opensearch: undefined,
        deadLetters: fileDeadLetterSink(dir),
      }),
    );
    expectBalanced(summary);
    expect(summary).toMatchObject({
      status: 'completed',
      dryRun: true,
      templates: 'skipped',
      undecodable: 2,
      objects: { read: selectedKeys(), failed: 0 },
      documents: { selected: archive.documents.length + 1, indexed: 0, deadLettered: 0 },
    });
    expect(summary.undecodableSamples).toHaveLength(2);
    expect(await countDocuments(client, prefix)).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(checkpoint)).toBe(false);
  });

  it('reports what it could not index, does not checkpoint it, and stops when the cluster is gone', async () => {
    const checkpoint = join(work, 'down.json');
    const down = clusterClient('http://127.0.0.1:9');
    try {
      const summary = await replay(
        options('it-rdown', {
          checkpoint: { path: checkpoint },
          templates: false,
          concurrency: 1,
          maxConsecutiveFailures: 3,
          bulk: { maxAttempts: 2, retryBaseMs: 1, retryMaxMs: 2 },
        }),
        deps({ opensearch: down }),
      );
      expectBalanced(summary);
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/3 objects failed in a row/);
      expect(summary.objects).toMatchObject({ read: 0, failed: 3 });
      expect(summary.objects.notRead).toBeGreaterThan(0);
      expect(summary.documents.failed).toBe(summary.documents.selected);
      expect(summary.documents.failed).toBeGreaterThan(0);
      expect(summary.failures[0]).toMatch(/documents failed, e\.g\. .*ConnectionError/);
      expect(replayFailed(summary)).toBe(true);
      expect((await readCheckpoint(checkpoint))?.completed ?? {}).toEqual({});
    } finally {
      await down.close();
    }
  });

  it('does not checkpoint an object whose dead letters could not be written', async () => {
    const failing: DeadLetterSink = {
      write: () => Promise.reject(new Error('disk full')),
    };
    const summary = await replay(
      options('it-replay', { checkpoint: { path: join(work, 'sink.json') } }),
      deps({
        deadLetters: failing,
      }),
    );
    expectBalanced(summary);
    // The damaged archive object and the error-prefix object hold the dead letters.
    expect(summary.objects).toMatchObject({ failed: 2, read: selectedKeys() - 2 });
    expect(summary.documents).toMatchObject({
      duplicates: archive.documents.length,
      deadLettered: 0,
      failed: 1,
    });
    expect(summary.failures.join('\n')).toMatch(/dead letters not written: disk full/);
    const completed = Object.keys((await readCheckpoint(join(work, 'sink.json')))?.completed ?? {});
    expect(completed).not.toContain(archive.damagedKey);
    expect(completed).not.toContain(archive.errorKey);
    expect(replayFailed(summary)).toBe(true);
  });

  it("replays the indexer's dead letters from S3: what still fails is dead-lettered again", async () => {
    // Dead letters to S3 this time, then that bucket replayed.
    const first = await replay(
      options('it-replay', { checkpoint: { path: join(work, 's3-letters.json') } }),
      deps({
        deadLetters: s3DeadLetterSink(s3.client, DEAD_LETTER_BUCKET, 'dead-letter/replay/'),
      }),
    );
    expectBalanced(first);
    expect(first.deadLetterLocations).toHaveLength(2);
    expect(
      first.deadLetterLocations.every((l) => l.startsWith(`s3://${DEAD_LETTER_BUCKET}/dead-letter/replay/`)),
    ).toBe(true);

    const dir = join(work, 'second-generation');
    const summary = await replay(
      { ...options('it-replay'), bucket: DEAD_LETTER_BUCKET, prefix: 'dead-letter/' },
      deps({
        deadLetters: fileDeadLetterSink(dir),
      }),
    );
    expectBalanced(summary);
    expect(summary).toMatchObject({
      status: 'completed',
      deadLetterObjects: 2,
      undecodable: 2,
      documents: { read: 1, indexed: 0, deadLettered: 1, failed: 0 },
    });
    const letters = await readLetters(dir);
    expect(letters.map((l) => l.type).sort()).toEqual([
      'decode_error:invalid_json',
      'decode_error:not_compressed',
      'mapper_parsing_exception',
    ]);
    // The same bytes travel on, so a fix in the decoder or the mapping can still replay them.
    const earlier = await readLetters(deadLetterDir);
    const dataOf = (ls: DeadLetter[], type: string) => ls.find((l) => l.type === type)?.data;
    expect(dataOf(letters, 'decode_error:invalid_json')).toBe(dataOf(earlier, 'decode_error:invalid_json'));
    expect(dataOf(letters, 'decode_error:not_compressed')).toBe(
      dataOf(earlier, 'decode_error:not_compressed'),
    );
    expect(await countDocuments(client, 'it-replay')).toBe(archive.documents.length);
  });
});

describe('replay of single objects', () => {
  it("selects a payload's documents by their own dataset, whatever its dataset= folder says", async () => {
    // A flow-log payload whose first line is garbled: Firehose files the record under its first
    // document's dataset (aws.cloudwatch_logs), flow records and all.
    const flows = fixtureLines('vpcflow/test-extra-samples.log').slice(0, 3);
    const { response } = transformFirehoseEvent(
      firehoseEvent([encode(message(OWNER_A, '/vpc/flow-logs', ['garbled, not a flow record', ...flows]))]),
      decoder,
    );
    const record = present(response.records[0], 'a transformed record');
    const partition = present(record.metadata, 'partition keys').partitionKeys;
    const key = `mixed/account=${partition.account}/dataset=${partition.dataset}/${partition.date}/central-archive-1.json.gz`;
    await put(CASES, key, Buffer.from(record.data, 'base64'));
    expect(partition.dataset).not.toBe('aws.vpcflow');

    const prefix = 'it-rmixed';
    await cleanPrefix(prefix);
    const summary = await replay(
      options(prefix, {
        bucket: CASES,
        prefix: 'mixed/',
        filter: { datasets: new Set(['aws.vpcflow'] as const) },
      }),
      deps({ deadLetters: fileDeadLetterSink(join(work, 'mixed')) }),
    );
    expectBalanced(summary);
    expect(summary.objects).toMatchObject({ listed: 1, read: 1, partitionsNotListed: 0 });
    expect(summary.documents).toMatchObject({ read: 4, outsideFilter: 1, indexed: 3, failed: 0 });
    expect(await countDocuments(client, prefix, { term: { 'event.dataset': 'aws.vpcflow' } })).toBe(3);
  });

  it('fails an object above --max-object-mib without checkpointing it, so a larger limit reads it', async () => {
    // About 2 MiB of NDJSON, far less stored: it inflates past a limit of 1 MiB.
    const lines = Array.from({ length: 2_000 }, (_, i) => `request ${i} ${'x'.repeat(900)}`);
    const decoded = decoder.decodeData(encode(message(OWNER_A, '/aws/lambda/orders-api', lines)));
    if (decoded.kind !== 'data') throw new Error(`payload did not decode: ${decoded.kind}`);
    const key = `large/account=${OWNER_A}/dataset=aws.lambda/2023/11/14/central-archive-1.json.gz`;
    await put(CASES, key, gzipSync(decoded.documents.map((d) => JSON.stringify(d) + '\n').join('')));

    const prefix = 'it-rlarge';
    await cleanPrefix(prefix);
    const checkpoint = join(work, 'large.json');
    const letters = join(work, 'large-letters');
    const run = (maxObjectBytes?: number) =>
      replay(
        options(prefix, {
          bucket: CASES,
          prefix: 'large/',
          checkpoint: { path: checkpoint },
          ...(maxObjectBytes === undefined ? {} : { maxObjectBytes }),
        }),
        deps({ deadLetters: fileDeadLetterSink(letters) }),
      );

    const small = await run(1024 * 1024);
    expectBalanced(small);
    expect(small.objects).toMatchObject({ listed: 1, read: 0, failed: 1 });
    expect(small.documents.read).toBe(0);
    expect(small.failures).toEqual([
      expect.stringMatching(
        /exceeds the limit of 1048576 bytes: not read; run again with a larger --max-object-mib$/,
      ),
    ]);
    expect(replayFailed(small)).toBe(true);
    expect((await readCheckpoint(checkpoint))?.completed ?? {}).toEqual({});
    expect(await readLetters(letters)).toEqual([]);

    const larger = await run();
    expectBalanced(larger);
    expect(larger.objects).toMatchObject({ skippedByCheckpoint: 0, read: 1, failed: 0 });
    expect(larger.documents).toMatchObject({ read: 2_000, indexed: 2_000, failed: 0 });
    expect(replayFailed(larger)).toBe(false);
    expect(Object.keys((await readCheckpoint(checkpoint))?.completed ?? {})).toEqual([key]);
  });
});

describe('the replay CLI', () => {
  const exec = promisify(execFile);
  const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
  const cli = new URL('../../src/cli/replay.ts', import.meta.url).pathname;
  const url = inject('opensearchUrl');
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    OPENSEARCH_URL: url,
    OPENSEARCH_AUTH: new URL(url).username ? 'basic' : 'none',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    // Relative paths (the default checkpoint) resolve against INIT_CWD, which pnpm sets for scripts.
    INIT_CWD: work,
    // Fail fast against the missing cluster below.
    RETRY_MAX_ATTEMPTS: '1',
  });
  const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await exec(tsx, [cli, ...args], { env: env(), cwd: work });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };

  it('replays through the command line and prints the summary; 1 when something failed, 2 for bad usage', async () => {
    const common = ['--bucket', ARCHIVE, '--endpoint', s3.endpoint, '--index-prefix', 'it-replay'];
    const ok = await run([...common, '--json', '--dead-letter-dir', join(work, 'cli-letters')]);
    expect(ok.stderr).toMatch(/^replay: \d+\/\d+ objects \(100%\)/m);
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout) as ReplaySummary;
    expect(summary.documents).toMatchObject({
      duplicates: archive.documents.length,
      deadLettered: 1,
      failed: 0,
    });
    expect(summary.checkpoint).toMatch(/\.replay-checkpoints\/central-archive-[0-9a-f]{16}\.json$/);

    // The same command again: the default checkpoint is found, nothing is read.
    const again = await run([...common, '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/completed in/);
    expect(again.stdout).toContain(`${archive.keys.length} done earlier · 0 read`);

    const dry = await run([
      '--bucket',
      ARCHIVE,
      '--endpoint',
      s3.endpoint,
      '--dry-run',
      '--quiet',
      '--dataset',
      'lambda',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run');

    const failed = await run([
      ...common,
      '--quiet',
      '--restart',
      '--opensearch-url',
      'http://127.0.0.1:9',
      '--no-templates',
      '--concurrency',
      '1',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed in/);

    const usage = await run(['--bucket', ARCHIVE, '--since', 'yesterday']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--since must be a date/);
  });
});
