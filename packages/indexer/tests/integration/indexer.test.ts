import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  createDecoder,
  decodeKinesisEvent,
  type Decoder,
  type KinesisStreamEvent,
} from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { startS3, type S3Server } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BULK_OPTIONS } from '../../src/bulk.ts';
import { s3DeadLetterSink, type DeadLetter, type DeadLetterSink } from '../../src/dead-letter.ts';
import { indexKinesisEvent, type KinesisIndexerDeps } from '../../src/kinesis.ts';
import { indexNameFor } from '../../src/templates.ts';
import { clusterClient, countDocuments, freshPrefix, present, termsOf } from '../support/cluster.ts';
import { fixtureBatch } from '../support/fixtures.ts';
import { kinesisRecords, redelivery } from '../support/stream.ts';

const PREFIX = 'it-indexer';
const BUCKET = 'central-logs-dead-letter';
const client = clusterClient();
const decoder = createDecoder();
let s3: S3Server;

function deps(overrides: Partial<KinesisIndexerDeps> = {}): KinesisIndexerDeps {
  return {
    client,
    decoder,
    deadLetters: s3DeadLetterSink(s3.client, BUCKET, 'dead-letter/indexer/'),
    indexPrefix: PREFIX,
    bulk: { ...DEFAULT_BULK_OPTIONS, retryBaseMs: 20, deadline: Date.now() + 60_000 },
    ...overrides,
  };
}

async function readDeadLetters(location: string): Promise<DeadLetter[]> {
  const key = location.replace(`s3://${BUCKET}/`, '');
  const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const text = gunzipSync(
    Buffer.from(await present(object.Body, 'an object body').transformToByteArray()),
  ).toString('utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as DeadLetter);
}

function documentsOf(batch: KinesisStreamEvent, d: Decoder = decoder): LogDocument[] {
  return decodeKinesisEvent(batch, d).flatMap(({ result }) =>
    result.kind === 'data' ? result.documents : [],
  );
}

beforeAll(async () => {
  await freshPrefix(client, PREFIX);
  s3 = await startS3({ buckets: [BUCKET] });
});
afterAll(async () => {
  await s3?.stop();
  await client.close();
});

describe('the fixture corpus, indexed into a real OpenSearch', () => {
  const batch = fixtureBatch();
  const expected = documentsOf(batch);

  it('indexes every document, and finds them by dataset, source IP, event name and IP range', async () => {
    expect(expected.length).toBeGreaterThan(60);
    const { response, summary } = await indexKinesisEvent(batch, deps());
    expect(response.batchItemFailures).toEqual([]);
    expect(summary).toMatchObject({ documents: expected.length, indexed: expected.length, deadLettered: 0 });
    expect(await countDocuments(client, PREFIX)).toBe(expected.length);

    // Counts per dataset, as a dashboard would ask.
    const buckets = await termsOf(client, `${PREFIX}-*`, 'event.dataset');
    const wanted: Record<string, number> = {};
    for (const d of expected) wanted[d.event.dataset] = (wanted[d.event.dataset] ?? 0) + 1;
    expect(Object.fromEntries(buckets.map((b) => [b.key, b.doc_count]))).toEqual(wanted);
    expect(Object.keys(wanted).sort()).toEqual([
      'aws.cloudtrail',
      'aws.guardduty',
      'aws.lambda',
      'aws.route53_resolver',
      'aws.vpcflow',
    ]);

    // A flow by its source IP.
    const flow = expected.find(
      (d) => d.event.dataset === 'aws.vpcflow' && /^\d+\.\d+\.\d+\.\d+$/.test(d.source?.ip ?? ''),
    );
    const ip = present(flow?.source?.ip, 'an IPv4 flow');
    const flows = await client.search({
      index: `${PREFIX}-aws.vpcflow-*`,
      body: { query: { term: { 'source.ip': ip } } },
    });
    const flowIds = flows.body.hits.hits.map((h) => h._id).sort();
    expect(flowIds).toEqual(
      expected
        .filter((d) => d.event.dataset === 'aws.vpcflow' && d.source?.ip === ip)
        .map((d) => d.event.id)
        .sort(),
    );

    // A CloudTrail event by name.
    const logins = await client.search({
      index: `${PREFIX}-aws.cloudtrail-*`,
      body: { query: { term: { 'event.action': 'ConsoleLogin' } } },
    });
    const wantedLogins = expected.filter((d) => d.event.action === 'ConsoleLogin');
    expect(wantedLogins.length).toBeGreaterThan(0);
    expect(logins.body.hits.hits.map((h) => h._id).sort()).toEqual(
      wantedLogins.map((d) => d.event.id).sort(),
    );

    // `ip`-typed: a CIDR term and a range both work (on a keyword they would not).
    const [a, b] = ip.split('.');
    const inSlash16 = (x: string | undefined) =>
      x !== undefined && x.startsWith(`${a}.${b}.`) && x.split('.').length === 4;
    const wantedRange = expected.filter((d) => inSlash16(d.source?.ip)).length;
    expect(wantedRange).toBeGreaterThan(0);
    expect(await countDocuments(client, PREFIX, { term: { 'source.ip': `${a}.${b}.0.0/16` } })).toBe(
      wantedRange,
    );
    expect(
      await countDocuments(client, PREFIX, {
        range: { 'source.ip': { gte: `${a}.${b}.0.0`, lte: `${a}.${b}.255.255` } },
      }),
    ).toBe(wantedRange);
  });

  it('redelivery of the same batch adds nothing: every document is a 409 duplicate', async () => {
    const { response, summary } = await indexKinesisEvent(batch, deps());
    expect(response.batchItemFailures).toEqual([]);
    expect(summary).toMatchObject({
      indexed: 0,
      duplicates: expected.length,
      deadLettered: 0,
      retryLater: 0,
    });
    expect(await countDocuments(client, PREFIX)).toBe(expected.length);
  });
});

describe('what cannot be indexed is kept with its reason', () => {
  it('a document the mapping refuses goes to a dead-letter object; the rest of the batch indexes', async () => {
    const records = kinesisRecords(300, 100, 11);
    const batch = { Records: records };
    const second = present(records[1], 'a second record');
    const victim = present(documentsOf({ Records: [second] })[42], 'a 43rd document');
    // A document whose `network` is a string where the template maps an object: what schema drift
    // between a decoder version and an index looks like. The cluster refuses it with a 400.
    const drifting: Decoder = {
      ...decoder,
      decodeData(data) {
        const result = decoder.decodeData(data);
        if (result.kind !== 'data') return result;
        for (const d of result.documents) {
          if (d.event.id === victim.event.id) (d as unknown as { network: string }).network = 'tcp';
        }
        return result;
      },
    };
    const before = await countDocuments(client, PREFIX);
    const { response, summary } = await indexKinesisEvent(batch, deps({ decoder: drifting }));
    expect(response.batchItemFailures).toEqual([]);
    expect(summary).toMatchObject({ documents: 300, indexed: 299, deadLettered: 1, retryLater: 0 });
    expect(await countDocuments(client, PREFIX)).toBe(before + 299);

    expect(summary.deadLetterObjects).toHaveLength(1);
    const [letter, ...more] = await readDeadLetters(
      present(summary.deadLetterObjects[0], 'a dead-letter object'),
    );
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      status: 400,
      type: 'mapper_parsing_exception',
      id: victim.event.id,
      source: { sequenceNumber: second.kinesis.sequenceNumber, shardId: 'shardId-000000000000' },
    });
    expect(letter?.reason).toMatch(/mapper_parsing_exception.*network/);
    expect(letter?.document?.event.id).toBe(victim.event.id);
  });

  it('an undecodable record is dead-lettered with its exact bytes, and not retried', async () => {
    const good = present(kinesisRecords(10, 10, 12)[0], 'a record');
    const garbage = gzipSync('{"messageType": "DATA_MESSAGE", "logEvents": [').toString('base64');
    const bad = {
      ...good,
      kinesis: { ...good.kinesis, data: garbage, sequenceNumber: '49600000000000000000999' },
    };
    const { response, summary } = await indexKinesisEvent({ Records: [bad, good] }, deps());
    expect(response.batchItemFailures).toEqual([]);
    expect(summary).toMatchObject({ records: 2, decodeErrors: 1, documents: 10, indexed: 10 });
    const letters = await readDeadLetters(present(summary.deadLetterObjects[0], 'a dead-letter object'));
    expect(letters).toEqual([
      expect.objectContaining({
        type: 'decode_error:invalid_json',
        data: garbage,
        source: expect.objectContaining({ sequenceNumber: '49600000000000000000999' }),
      }),
    ]);
  });

  it('when the dead-letter store is down, the records go back to Kinesis rather than being lost', async () => {
    const good = present(kinesisRecords(5, 5, 13)[0], 'a record');
    const bad = {
      ...good,
      kinesis: { ...good.kinesis, data: 'not base64 at all!', sequenceNumber: '496000000001' },
    };
    const broken: DeadLetterSink = {
      write: () => Promise.reject(new Error('AccessDenied: s3:PutObject')),
    };
    const { response, summary } = await indexKinesisEvent(
      { Records: [good, bad] },
      deps({ deadLetters: broken }),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '496000000001' }]);
    expect(summary).toMatchObject({ indexed: 5, decodeErrors: 1, failedRecords: 1 });
    expect(summary.reasons.join('\n')).toMatch(/dead-letter write failed: AccessDenied/);
  });

  it('control messages are dropped and counted; nothing is indexed for them', async () => {
    const control = gzipSync(
      JSON.stringify({
        messageType: 'CONTROL_MESSAGE',
        owner: 'CloudwatchLogs',
        logGroup: '',
        logStream: '',
        subscriptionFilters: [],
        logEvents: [
          {
            id: '',
            timestamp: 0,
            message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.',
          },
        ],
      }),
    ).toString('base64');
    const record = present(kinesisRecords(1, 1, 14)[0], 'a record');
    const { response, summary } = await indexKinesisEvent(
      { Records: [{ ...record, kinesis: { ...record.kinesis, data: control } }] },
      deps(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(summary).toMatchObject({ records: 1, control: 1, documents: 0, deadLetterObjects: [] });
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.KeyCount).toBe(2); // the two objects of the tests above, nothing new
  });
});

describe('records that go back to Kinesis', () => {
  /** Dead letters kept in memory, one array per write. */
  function memorySink(): DeadLetterSink & { writes: DeadLetter[][] } {
    const writes: DeadLetter[][] = [];
    return {
      writes,
      write(letters) {
        writes.push([...letters]);
        return Promise.resolve(`memory:${writes.length}`);
      },
    };
  }

  it('a cluster at its shard limit holds them back instead of dead-lettering their documents', async () => {
    // No templates under this prefix: the day's index would be a new one of 1 shard and 1 replica.
    const prefix = 'it-shardlimit';
    const records = kinesisRecords(10, 10, 15);
    const sink = memorySink();
    const limit = (value: number | null) =>
      client.cluster.putSettings({ body: { persistent: { 'cluster.max_shards_per_node': value } } });
    await limit(1);
    try {
      const { response, summary } = await indexKinesisEvent(
        { Records: records },
        deps({ indexPrefix: prefix, deadLetters: sink }),
      );
      expect(response.batchItemFailures).toEqual(
        records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
      );
      expect(summary).toMatchObject({ documents: 10, indexed: 0, deadLettered: 0, retryLater: 10 });
      expect(summary.reasons[0]).toMatch(/^400 validation_exception: .*maximum shards open/);
      expect(sink.writes).toEqual([]);
    } finally {
      await limit(null);
    }
    // Once an operator raises the limit, the redelivered records index.
    const { summary } = await indexKinesisEvent({ Records: records }, deps({ indexPrefix: prefix }));
    expect(summary).toMatchObject({ indexed: 10, retryLater: 0 });
    await client.indices.delete({ index: `${prefix}-*` });
  });

  it('dead letters of every record from the lowest failed one on are written once, when they return', async () => {
    const records = kinesisRecords(30, 10, 16);
    const held = present(records[1], 'a second record');
    const later = present(records[2], 'a third record');
    // `held` indexes into a closed index (the cluster's state: it goes back to Kinesis); `later`,
    // after it in the shard, holds a document the mapping refuses.
    const heldIds = new Set(documentsOf({ Records: [held] }).map((d) => d.event.id));
    const heldDataset = present(documentsOf({ Records: [held] })[0], 'a document').event.dataset;
    const victim = present(documentsOf({ Records: [later] })[3], 'a fourth document');
    const closedDay = '2001-01-01T00:00:00.000Z';
    const closed = indexNameFor(heldDataset, closedDay, PREFIX);
    const moving: Decoder = {
      ...decoder,
      decodeData(data) {
        const result = decoder.decodeData(data);
        if (result.kind !== 'data') return result;
        for (const d of result.documents) {
          if (heldIds.has(d.event.id)) d['@timestamp'] = closedDay;
          if (d.event.id === victim.event.id) (d as unknown as { network: string }).network = 'tcp';
        }
        return result;
      },
    };
    await client.indices.create({ index: closed });
    await client.indices.close({ index: closed });
    const sink = memorySink();

    const one = await indexKinesisEvent({ Records: records }, deps({ decoder: moving, deadLetters: sink }));
    // Lambda will resume from `held` and bring `later` back too: its letter waits for that.
    expect(one.response.batchItemFailures).toEqual([
      { itemIdentifier: held.kinesis.sequenceNumber },
      { itemIdentifier: later.kinesis.sequenceNumber },
    ]);
    expect(one.summary).toMatchObject({ indexed: 19, deadLettered: 0, retryLater: 11, failedRecords: 2 });
    expect(sink.writes).toEqual([]);

    await client.indices.open({ index: closed });
    const two = await indexKinesisEvent(
      { Records: redelivery(records, one.response.batchItemFailures) },
      deps({ decoder: moving, deadLetters: sink }),
    );
    expect(two.response.batchItemFailures).toEqual([]);
    expect(two.summary).toMatchObject({ indexed: 10, duplicates: 9, deadLettered: 1, retryLater: 0 });
    expect(sink.writes.flat().map((l) => [l.type, l.id, l.source])).toEqual([
      [
        'mapper_parsing_exception',
        victim.event.id,
        expect.objectContaining({ sequenceNumber: later.kinesis.sequenceNumber }),
      ],
    ]);
    await client.indices.delete({ index: closed });
  });
});
