import { describe, expect, it } from 'vitest';
import {
  DATASETS,
  LOG_DOCUMENT_FIELDS,
  catalogueFields,
  type FieldMapping,
  type LogDocument,
} from '../src/index.ts';

const FIELDS = catalogueFields();
const kindOf = (path: string) => FIELDS.find((field) => field.path === path)?.kind;

describe('LOG_DOCUMENT_FIELDS', () => {
  it('has unique dotted paths whose segments hold no dots (OpenSearch would split them)', () => {
    expect(new Set(FIELDS.map((field) => field.path)).size).toBe(FIELDS.length);
    for (const { path } of FIELDS) {
      for (const segment of path.split('.')) expect(segment).toMatch(/^@?[a-z0-9_]+$/);
    }
  });

  it('maps every *.ip and the flow-log packet addresses to ip, and every *.address to keyword', () => {
    const ips = FIELDS.filter((field) => field.kind === 'ip').map((field) => field.path);
    expect(ips.sort()).toEqual(
      [
        'source.ip',
        'destination.ip',
        'host.ip',
        'dns.resolved_ip',
        'aws.vpcflow.pkt_srcaddr',
        'aws.vpcflow.pkt_dstaddr',
        'aws.route53_resolver.resolver_ip',
      ].sort(),
    );
    for (const { path, kind } of FIELDS) {
      if (path.endsWith('.address')) expect(kind, path).toBe('keyword');
    }
  });

  it('maps ISO times to date, counts to long, prose to text and the raw record to source only', () => {
    for (const path of [
      '@timestamp',
      'event.start',
      'event.end',
      'event.created',
      'event.ingested',
      'aws.cloudtrail.user_identity.session_context.creation_date',
      'aws.guardduty.created_at',
      'aws.guardduty.updated_at',
      'aws.guardduty.service.event.first_seen',
      'aws.container.time',
    ]) {
      expect(kindOf(path), path).toBe('date');
    }
    for (const path of [
      'source.port',
      'destination.port',
      'source.bytes',
      'destination.packets',
      'network.bytes',
      'http.response.status_code',
      'event.duration',
    ]) {
      expect(kindOf(path), path).toBe('long');
    }
    expect(kindOf('message')).toBe('text');
    expect(kindOf('event.original')).toBe('source_only');
    for (const path of ['user_agent.original', 'url.original', 'error.message']) {
      expect(kindOf(path), path).toBe('keyword_with_text');
    }
    for (const path of [
      'event.id',
      'event.dataset',
      'cloud.account.id',
      'aws.cloudwatch.owner',
      'user.name',
    ]) {
      expect(kindOf(path), path).toBe('keyword');
    }
  });

  it('collapses free-form payloads into flat_object fields, and only those', () => {
    const flat = FIELDS.filter((field) => field.kind === 'flat_object').map((field) => field.path);
    expect(flat.sort()).toEqual(
      ['aws.cloudtrail.flattened', 'aws.guardduty.flattened', 'aws.container.kubernetes.labels'].sort(),
    );
  });

  it('has an aws.<dataset> group for every dataset with source fields, and no group that is not one', () => {
    const groups = Object.keys(LOG_DOCUMENT_FIELDS.aws).map((group) => `aws.${group}`);
    // aws.cloudwatch is on every document; aws.cloudwatch_logs (generic logs) has no own fields.
    expect(groups.filter((group) => group !== 'aws.cloudwatch').sort()).toEqual(
      DATASETS.filter((dataset) => dataset !== 'aws.cloudwatch_logs').toSorted(),
    );
  });
});

describe('catalogueFields', () => {
  it('walks a subtree below a prefix in declaration order', () => {
    expect(catalogueFields(LOG_DOCUMENT_FIELDS.aws.cloudwatch, 'aws.cloudwatch')).toEqual([
      { path: 'aws.cloudwatch.log_group', kind: 'keyword' },
      { path: 'aws.cloudwatch.log_stream', kind: 'keyword' },
      { path: 'aws.cloudwatch.owner', kind: 'keyword' },
    ]);
    expect(catalogueFields({ a: { b: { c: 'ip' } }, d: 'long' })).toEqual([
      { path: 'a.b.c', kind: 'ip' },
      { path: 'd', kind: 'long' },
    ]);
  });
});

// The guarantees below are checked by the compiler (`pnpm typecheck` includes tests/): each
// `@ts-expect-error` fails the typecheck if the line after it stops being an error.
describe('FieldMapping (compile time)', () => {
  interface Sample {
    id: string;
    port?: number;
    ok?: boolean;
    addresses?: string[];
    nested?: { when?: string; answers?: Array<{ ttl?: number }> };
    labels?: Record<string, string>;
  }
  const sample: FieldMapping<Sample> = {
    id: 'keyword',
    port: 'integer',
    ok: 'boolean',
    addresses: 'ip',
    nested: { when: 'date', answers: { ttl: 'long' } },
    labels: 'flat_object',
  };

  it('accepts a complete catalogue, and a declared object collapsed into flat_object', () => {
    const collapsed: FieldMapping<Sample> = { ...sample, nested: 'flat_object' };
    expect(collapsed.nested).toBe('flat_object');
  });

  it('rejects a missing field, optional ones included', () => {
    // @ts-expect-error `port` is optional in Sample but still needs an entry
    const missing: FieldMapping<Sample> = {
      id: 'keyword',
      ok: 'boolean',
      addresses: 'ip',
      nested: { when: 'date', answers: { ttl: 'long' } },
      labels: 'flat_object',
    };
    // @ts-expect-error a field added to LogDocument without a catalogue entry
    const grown: FieldMapping<LogDocument & { newField?: string }> = LOG_DOCUMENT_FIELDS;
    const { message: _message, ...withoutMessage } = LOG_DOCUMENT_FIELDS;
    // @ts-expect-error the real catalogue with `message` removed
    const shrunk: FieldMapping<LogDocument> = withoutMessage;
    expect([missing, grown, shrunk]).toHaveLength(3);
  });

  it('rejects a kind that does not fit the field type', () => {
    const wrong: Array<FieldMapping<Sample>> = [
      // @ts-expect-error a number cannot be keyword
      { ...sample, port: 'keyword' },
      // @ts-expect-error a string cannot be long
      { ...sample, id: 'long' },
      // @ts-expect-error a boolean cannot be keyword
      { ...sample, ok: 'keyword' },
      // @ts-expect-error a free-form record must be flat_object, never mapped key by key
      { ...sample, labels: { app: 'keyword' } },
      // @ts-expect-error an array maps like its element: string[] cannot be long
      { ...sample, addresses: 'long' },
      // @ts-expect-error nested objects are checked too
      { ...sample, nested: { when: 'date', answers: { ttl: 'ip' } } },
      // @ts-expect-error a field the type does not have
      { ...sample, extra: 'keyword' },
    ];
    const ipAsLong: FieldMapping<LogDocument> = {
      ...LOG_DOCUMENT_FIELDS,
      // @ts-expect-error source.ip is a string: `long` does not fit
      source: { ...LOG_DOCUMENT_FIELDS.source, ip: 'long' },
    };
    expect([...wrong, ipAsLong]).toHaveLength(8);
  });
});
