// The generated templates against a real OpenSearch node: idempotent application, the mappings
// real decoded documents get, and the mapping-explosion guard.
import { readFileSync, readdirSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '@central-logging/decoder';
import { DATASETS, catalogueFields, type LogDocument } from '@central-logging/log-schema';
import { TemplateError, buildTemplates, ensureTemplates, indexNameFor } from '../../src/templates.ts';
import { clusterClient } from '../support/cluster.ts';

// Own prefix: other files share the node, and "first run creates everything" needs a clean slate.
const PREFIX = `tpl-${process.pid}`;
const REFUSED_PREFIX = `${PREFIX}-refused`;
const FIXTURES = new URL('../../../decoder/tests/fixtures/', import.meta.url);

let nextId = 37199717562907174288355125807040114704837640994633613312n;

/** Decodes `messages` as one CloudWatch Logs payload from `logGroup`, as the pipeline would. */
function decode(logGroup: string, messages: readonly string[]): LogDocument[] {
  const result = createDecoder().decodeMessage({
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup,
    logStream: 'fixtures',
    subscriptionFilters: ['central-logging'],
    logEvents: messages.map((message, i) => ({
      id: String(nextId++),
      timestamp: 1_700_000_000_000 + i,
      message,
    })),
  });
  if (result.kind !== 'data') throw new Error(`fixture payload did not decode: ${result.kind}`);
  return result.documents;
}

/** The non-empty lines of every `*.log` fixture in `dir`. */
function fixtureLines(dir: string): string[] {
  const folder = new URL(`${dir}/`, FIXTURES);
  return readdirSync(folder)
    .filter((file) => file.endsWith('.log'))
    .flatMap((file) => readFileSync(new URL(file, folder), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '');
}

// Every source the decoder knows, from the decoder's third-party fixtures where they exist; the
// container and generic records follow the documented shapes (as the decoder's own tests do).
function corpus(): LogDocument[] {
  const lambdaCases = JSON.parse(
    readFileSync(new URL('lambda/datadog_lambda_report_cases.json', FIXTURES), 'utf8'),
  ) as { cases: Array<{ input: string }> };
  const eksRecord = {
    log: '10.1.2.3 - - [18/Oct/2024:19:38:39 +0000] "GET /api/cart?id=7 HTTP/1.1" 200 512 "-" "curl/8.4.0" rt=0.042\n',
    stream: 'stdout',
    time: '2024-10-18T19:38:39.661538911Z',
    kubernetes: {
      pod_name: 'web-7d4b9c-xk2lp',
      namespace_name: 'shop',
      pod_id: '5b0e1c47-7c3f-4c58-9a39-2d7c9a5e1f10',
      host: 'ip-10-0-1-23.ec2.internal',
      container_name: 'nginx',
      docker_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
      container_image: 'public.ecr.aws/nginx/nginx:1.25',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c', 'app.kubernetes.io/part-of': 'shop' },
    },
  };
  return [
    ...decode('/vpc/flow-logs', fixtureLines('vpcflow')),
    ...decode('aws-cloudtrail-logs', fixtureLines('cloudtrail')),
    ...decode('/aws/events/guardduty', fixtureLines('guardduty')),
    ...decode('/aws/route53/resolver-query-logs', fixtureLines('route53_resolver')),
    ...decode(
      '/aws/lambda/my-function',
      lambdaCases.cases.map((c) => c.input),
    ),
    ...decode('/aws/containerinsights/prod-eks/application', [JSON.stringify(eksRecord)]),
    ...decode('/app/orders', ['{"level":"error","message":"payment declined","order":7}', 'plain text line']),
  ];
}

async function bulkIndex(client: Client, documents: readonly LogDocument[]): Promise<string[]> {
  const body = documents.flatMap((doc) => [
    {
      create: {
        _index: indexNameFor(doc.event.dataset, doc['@timestamp'], PREFIX),
        _id: doc.event.id,
      },
    },
    doc,
  ]);
  const response = await client.bulk({ body, refresh: 'true' });
  const items = response.body.items as Array<Record<string, { error?: unknown; _id?: string }>>;
  return items.flatMap((item) =>
    Object.values(item).flatMap((result) =>
      result.error === undefined ? [] : [`${result._id}: ${JSON.stringify(result.error)}`],
    ),
  );
}

interface MappedField {
  type?: string;
  properties?: Record<string, MappedField>;
}

/** Leaf paths → type of one index's mapping (multi-fields left out). */
function leaves(properties: Record<string, MappedField> | undefined, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, field] of Object.entries(properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (field.properties !== undefined)
      for (const entry of leaves(field.properties, path)) found.set(...entry);
    else found.set(path, field.type ?? 'object');
  }
  return found;
}

async function mappingsOf(client: Client, index: string): Promise<Map<string, string>> {
  const response = await client.indices.getMapping({ index });
  const [mapping] = Object.values(response.body) as Array<{
    mappings: { properties?: Record<string, MappedField> };
  }>;
  return leaves(mapping?.mappings.properties);
}

async function deleteEverything(client: Client, prefix: string): Promise<void> {
  const set = buildTemplates({ prefix });
  await client.indices.delete({ index: `${prefix}-*`, expand_wildcards: 'all' }).catch(() => undefined);
  for (const { name } of set.indexTemplates) {
    await client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  }
  for (const { name } of set.componentTemplates) {
    await client.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
  }
}

describe('index templates on a real OpenSearch node', () => {
  let client: Client;
  const documents = corpus();

  beforeAll(async () => {
    client = clusterClient();
    await deleteEverything(client, PREFIX);
    await deleteEverything(client, REFUSED_PREFIX);
  });

  afterAll(async () => {
    await deleteEverything(client, PREFIX);
    await deleteEverything(client, REFUSED_PREFIX);
    await client.close();
  });

  it('creates every template once, then finds them unchanged, then updates only what changed', async () => {
    const first = await ensureTemplates(client, { prefix: PREFIX, replicas: 0 });
    expect(first.templates).toHaveLength(2 + 2 * DATASETS.length);
    expect(first.templates.every((t) => t.outcome === 'created')).toBe(true);
    // Components before the index templates that name them.
    expect(first.templates.findLastIndex((t) => t.kind === 'component')).toBeLessThan(
      first.templates.findIndex((t) => t.kind === 'index'),
    );

    const second = await ensureTemplates(client, { prefix: PREFIX, replicas: 0 });
    expect(second.templates.map((t) => t.name)).toEqual(first.templates.map((t) => t.name));
    expect(second.templates.every((t) => t.outcome === 'unchanged')).toBe(true);

    const slower = await ensureTemplates(client, { prefix: PREFIX, replicas: 0, refreshInterval: '2s' });
    expect(slower.templates.filter((t) => t.outcome !== 'unchanged')).toEqual([
      { kind: 'component', name: `${PREFIX}-aws@settings`, outcome: 'updated' },
    ]);
    const back = await ensureTemplates(client, { prefix: PREFIX, replicas: 0 });
    expect(back.templates.filter((t) => t.outcome !== 'unchanged').map((t) => t.name)).toEqual([
      `${PREFIX}-aws@settings`,
    ]);

    const stored = await client.indices.getIndexTemplate({ name: `${PREFIX}-aws.vpcflow` });
    expect(stored.body.index_templates[0]?.index_template).toMatchObject({
      index_patterns: [`${PREFIX}-aws.vpcflow-*`],
      composed_of: [`${PREFIX}-aws@settings`, `${PREFIX}-aws@mappings`, `${PREFIX}-aws.vpcflow@mappings`],
      priority: 200,
      _meta: { managed_by: 'central-logging' },
    });
  });

  it('indexes a real document of every dataset into its daily index, typed by the catalogue', async () => {
    const datasets = new Set(documents.map((doc) => doc.event.dataset));
    expect([...datasets].sort()).toEqual([...DATASETS].sort());

    expect(await bulkIndex(client, documents)).toEqual([]);
    // No value was dropped as malformed: the catalogue's types fit what the decoder writes.
    const ignored = await client.search({
      index: `${PREFIX}-*`,
      body: { query: { exists: { field: '_ignored' } }, _source: false },
    });
    expect(
      ignored.body.hits.hits.map((hit) => `${hit._index}/${hit._id}: ${JSON.stringify(hit._ignored)}`),
    ).toEqual([]);

    const vpcflow = await mappingsOf(
      client,
      indexNameFor(
        'aws.vpcflow',
        documents.find((d) => d.event.dataset === 'aws.vpcflow')?.['@timestamp'] ?? '',
        PREFIX,
      ),
    );
    expect(vpcflow.get('source.ip')).toBe('ip');
    expect(vpcflow.get('destination.ip')).toBe('ip');
    expect(vpcflow.get('aws.vpcflow.pkt_srcaddr')).toBe('ip');
    expect(vpcflow.get('@timestamp')).toBe('date');
    expect(vpcflow.get('source.port')).toBe('long');
    expect(vpcflow.get('event.original')).toBe('keyword');
    expect(vpcflow.has('aws.cloudtrail.flattened')).toBe(false);

    const cloudtrail = await mappingsOf(
      client,
      indexNameFor(
        'aws.cloudtrail',
        documents.find((d) => d.event.dataset === 'aws.cloudtrail')?.['@timestamp'] ?? '',
        PREFIX,
      ),
    );
    expect(cloudtrail.get('aws.cloudtrail.flattened')).toBe('flat_object');
    expect(cloudtrail.get('@timestamp')).toBe('date');
    expect(cloudtrail.get('source.ip')).toBe('ip');
    expect(cloudtrail.has('aws.vpcflow.pkt_srcaddr')).toBe(false);
  });

  it('maps nothing beyond the catalogue for real documents: no field is left to dynamic mapping', async () => {
    const catalogue = new Map(catalogueFields().map((f) => [f.path, f.kind]));
    const response = await client.indices.getMapping({ index: `${PREFIX}-*` });
    const indices = Object.keys(response.body);
    expect(indices.length).toBeGreaterThanOrEqual(DATASETS.length);
    for (const index of indices) {
      for (const path of (await mappingsOf(client, index)).keys()) {
        expect(catalogue.has(path), `${index}: ${path}`).toBe(true);
      }
    }
  });

  it('searches a free-form CloudTrail payload by path, and 3,000 distinct keys add no mapping', async () => {
    const [line] = readFileSync(new URL('cloudtrail/integrations_test-put-object-json.log', FIXTURES), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const record = JSON.parse(line ?? '') as Record<string, unknown>;
    const requestParameters = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`parameter${i}`, { nested: `value-${i}`, count: i }]),
    );
    const [doc] = decode('aws-cloudtrail-logs', [JSON.stringify({ ...record, requestParameters })]);
    if (doc === undefined) throw new Error('the CloudTrail record did not decode');
    expect(Object.keys(doc.aws.cloudtrail?.flattened?.request_parameters ?? {})).toHaveLength(3000);
    const index = indexNameFor('aws.cloudtrail', doc['@timestamp'], PREFIX);

    // The corpus test indexed this record's day already; create it if this test runs alone.
    await client.indices.create({ index }, { ignore: [400] });
    const before = await mappingsOf(client, index);
    expect(await bulkIndex(client, [doc])).toEqual([]);
    const after = await mappingsOf(client, index);
    expect([...after.keys()]).toEqual([...before.keys()]);
    const limit = await client.indices.getSettings({ index, name: 'index.mapping.total_fields.limit' });
    expect(Object.values(limit.body)[0]?.settings).toEqual({
      index: { mapping: { total_fields: { limit: '2000' } } },
    });

    const hits = await client.search({
      index,
      body: {
        query: { term: { 'aws.cloudtrail.flattened.request_parameters.parameter2999.nested': 'value-2999' } },
      },
    });
    expect(hits.body.hits.hits.map((hit) => hit._id)).toEqual([doc.event.id]);
  });

  it('ignores a malformed value but rejects an object where a value is mapped (the dead-letter path)', async () => {
    const base = documents.find((d) => d.event.dataset === 'aws.vpcflow');
    if (base === undefined) throw new Error('no flow-log document');
    const malformed = {
      ...base,
      event: { ...base.event, id: `${base.event.id}-m` },
      source: { ip: 'AWS Internal' },
    };
    const conflicting = {
      ...base,
      event: { ...base.event, id: `${base.event.id}-c` },
      source: 'AWS Internal',
    };
    const errors = await bulkIndex(client, [malformed, conflicting as unknown as LogDocument]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${base.event.id}-c: .*mapper_parsing_exception`));
    // Kept whole in _source, left out of the index, and listed in _ignored.
    const stored = await client.search({
      index: indexNameFor('aws.vpcflow', base['@timestamp'], PREFIX),
      body: { query: { ids: { values: [malformed.event.id] } } },
    });
    const [hit] = stored.body.hits.hits;
    expect(hit?._ignored).toEqual(['source.ip']);
    expect(hit?._source).toMatchObject({ source: { ip: 'AWS Internal' } });
  });

  it('names the template and the server’s reason when OpenSearch refuses one', async () => {
    const refused = ensureTemplates(client, { prefix: REFUSED_PREFIX, replicas: 0, totalFieldsLimit: 10 });
    await expect(refused).rejects.toBeInstanceOf(TemplateError);
    await expect(refused).rejects.toMatchObject({
      template: `${REFUSED_PREFIX}-aws.vpcflow`,
      status: 400,
      message: expect.stringMatching(/Limit of total fields \[10\] has been exceeded/),
    });
  });
});
