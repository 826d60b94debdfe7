import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATASETS, catalogueFields, type Dataset, type FieldKind } from '@central-logging/log-schema';
import {
  INVALID_TIMESTAMP_SUFFIX,
  buildTemplates,
  indexNameFor,
  type ComponentTemplateBody,
  type TemplateSet,
} from '../../src/templates.ts';

// The client's Property is a union in which only some members declare `properties`/`fields`; the
// generated mappings use just this much of it.
interface Property {
  readonly type?: string;
  readonly properties?: Record<string, Property>;
  readonly fields?: Record<string, Property>;
  readonly [option: string]: unknown;
}

const TEMPLATES = buildTemplates();
const FIELDS = catalogueFields();

function component(set: TemplateSet, name: string): ComponentTemplateBody {
  const found = set.componentTemplates.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no component template ${name}`);
  return found.body;
}

// The property at a dotted path of a component template's mappings, if it maps that path.
function propertyAt(body: ComponentTemplateBody, path: string): Property | undefined {
  let properties = propertiesOf(body);
  let property: Property | undefined;
  for (const segment of path.split('.')) {
    property = properties?.[segment];
    properties = property?.properties;
  }
  return property;
}

function propertiesOf(body: ComponentTemplateBody): Record<string, Property> | undefined {
  return body.template.mappings?.properties as Record<string, Property> | undefined;
}

// Where a field must be mapped: `aws.<group>.*` in its dataset's component, the rest in the shared one.
function componentOf(path: string): string {
  const dataset = DATASETS.find((d) => path.startsWith(`${d}.`));
  return dataset === undefined ? 'logs-aws@mappings' : `logs-${dataset}@mappings`;
}

// Fields OpenSearch counts against total_fields.limit: every object, leaf and multi-field.
function countFields(properties: Record<string, Property> | undefined): number {
  let count = 0;
  for (const property of Object.values(properties ?? {})) {
    count += 1 + Object.keys(property.fields ?? {}).length + countFields(property.properties);
  }
  return count;
}

function depthOf(properties: Record<string, Property> | undefined): number {
  let depth = 0;
  for (const property of Object.values(properties ?? {})) {
    if (property.properties !== undefined) depth = Math.max(depth, 1 + depthOf(property.properties));
  }
  return depth;
}

const EXPECTED_PROPERTY: Record<FieldKind, Property> = {
  keyword: { type: 'keyword', ignore_above: 1024 },
  keyword_with_text: { type: 'keyword', ignore_above: 1024, fields: { text: { type: 'text' } } },
  source_only: { type: 'keyword', index: false, doc_values: false },
  text: { type: 'text' },
  ip: { type: 'ip' },
  date: { type: 'date' },
  boolean: { type: 'boolean' },
  long: { type: 'long' },
  integer: { type: 'integer' },
  short: { type: 'short' },
  float: { type: 'float' },
  double: { type: 'double' },
  flat_object: { type: 'flat_object' },
};

describe('buildTemplates: mappings from the catalogue', () => {
  it('maps every catalogue field exactly once, in its own component, as its kind says', () => {
    for (const { path, kind } of FIELDS) {
      const owners = TEMPLATES.componentTemplates.filter((t) => propertyAt(t.body, path)?.type !== undefined);
      expect(
        owners.map((t) => t.name),
        path,
      ).toEqual([componentOf(path)]);
      expect(propertyAt(component(TEMPLATES, componentOf(path)), path), path).toEqual(
        EXPECTED_PROPERTY[kind],
      );
    }
  });

  it('maps every catalogue ip field as ip', () => {
    const ips = FIELDS.filter((f) => f.kind === 'ip');
    expect(ips.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'source.ip',
        'destination.ip',
        'host.ip',
        'dns.resolved_ip',
        'aws.vpcflow.pkt_srcaddr',
      ]),
    );
    for (const { path } of ips)
      expect(propertyAt(component(TEMPLATES, componentOf(path)), path)).toEqual({ type: 'ip' });
  });

  it('maps the free-form payloads as flat_object and the raw record as source only', () => {
    for (const path of [
      'aws.cloudtrail.flattened',
      'aws.guardduty.flattened',
      'aws.container.kubernetes.labels',
    ]) {
      expect(propertyAt(component(TEMPLATES, componentOf(path)), path), path).toEqual({
        type: 'flat_object',
      });
    }
    expect(propertyAt(component(TEMPLATES, 'logs-aws@mappings'), 'event.original')).toEqual({
      type: 'keyword',
      index: false,
      doc_values: false,
    });
    expect(propertyAt(component(TEMPLATES, 'logs-aws@mappings'), '@timestamp')).toEqual({ type: 'date' });
    expect(propertyAt(component(TEMPLATES, 'logs-aws@mappings'), 'message')).toEqual({ type: 'text' });
  });

  it('maps unknown fields conservatively: strings as bounded keywords, no type guessing', () => {
    const mappings = component(TEMPLATES, 'logs-aws@mappings').template.mappings;
    expect(mappings).toMatchObject({ dynamic: true, date_detection: false, numeric_detection: false });
    expect(mappings?.dynamic_templates).toEqual([
      {
        strings_as_keyword: {
          match_mapping_type: 'string',
          mapping: { type: 'keyword', ignore_above: 1024 },
        },
      },
    ]);
  });

  it('stays well inside its own field and depth limits for every dataset', () => {
    const shared = propertiesOf(component(TEMPLATES, 'logs-aws@mappings'));
    for (const dataset of DATASETS) {
      const own = propertiesOf(component(TEMPLATES, `logs-${dataset}@mappings`));
      // The `aws` object is counted in both; OpenSearch merges it into one.
      const total = countFields(shared) + countFields(own) - (own?.['aws'] === undefined ? 0 : 1);
      expect(total, dataset).toBeLessThan(2000 / 2);
      expect(Math.max(depthOf(shared), depthOf(own)), dataset).toBeLessThan(10);
    }
  });
});

describe('buildTemplates: settings', () => {
  it('has production defaults and the mapping guards', () => {
    expect(component(TEMPLATES, 'logs-aws@settings').template.settings).toEqual({
      index: {
        number_of_shards: 1,
        number_of_replicas: 1,
        refresh_interval: '1s',
        mapping: { total_fields: { limit: 2000 }, depth: { limit: 10 }, ignore_malformed: true },
      },
    });
  });

  it('takes every knob from options', () => {
    const set = buildTemplates({
      prefix: 'acme-logs',
      shards: 3,
      replicas: 0,
      refreshInterval: '30s',
      totalFieldsLimit: 5000,
      depthLimit: 12,
    });
    expect(component(set, 'acme-logs-aws@settings').template.settings).toEqual({
      index: {
        number_of_shards: 3,
        number_of_replicas: 0,
        refresh_interval: '30s',
        mapping: { total_fields: { limit: 5000 }, depth: { limit: 12 }, ignore_malformed: true },
      },
    });
  });

  it('refuses options that cannot work, naming them', () => {
    for (const prefix of ['', 'Logs', '-logs', '_logs', '.logs', 'lo gs', 'logs*', 'lo/gs', 'logs:x']) {
      expect(() => buildTemplates({ prefix }), prefix).toThrow(RangeError);
    }
    expect(() => buildTemplates({ shards: 0 })).toThrow(/shards must be an integer ≥ 1, got 0/);
    expect(() => buildTemplates({ replicas: -1 })).toThrow(/replicas/);
    expect(() => buildTemplates({ totalFieldsLimit: 1.5 })).toThrow(/totalFieldsLimit/);
    expect(() => buildTemplates({ depthLimit: Number.NaN })).toThrow(/depthLimit/);
  });
});

describe('buildTemplates: index templates', () => {
  it('gives every dataset a daily-index pattern composed of settings, shared and own mappings', () => {
    expect(TEMPLATES.indexTemplates.map((t) => t.name)).toEqual(DATASETS.map((d) => `logs-${d}`));
    const components = new Set(TEMPLATES.componentTemplates.map((t) => t.name));
    for (const dataset of DATASETS) {
      const body = TEMPLATES.indexTemplates.find((t) => t.name === `logs-${dataset}`)?.body;
      expect(body?.index_patterns).toEqual([`logs-${dataset}-*`]);
      expect(body?.composed_of).toEqual([
        'logs-aws@settings',
        'logs-aws@mappings',
        `logs-${dataset}@mappings`,
      ]);
      expect(body?.priority).toBe(200);
      expect(body?.data_stream).toBeUndefined();
      for (const name of body?.composed_of ?? []) expect(components.has(name), name).toBe(true);
    }
  });

  it('patterns never match another dataset’s index (OpenSearch refuses overlapping equal priorities)', () => {
    for (const dataset of DATASETS) {
      for (const other of DATASETS) {
        const index = indexNameFor(other, '2023-11-14T00:00:00Z');
        expect(index.startsWith(`logs-${dataset}-`), `${dataset} vs ${index}`).toBe(dataset === other);
      }
    }
  });

  it('uses the prefix in every name and pattern', () => {
    const set = buildTemplates({ prefix: 'acme' });
    const names = [...set.componentTemplates, ...set.indexTemplates].map((t) => t.name);
    for (const name of names) expect(name).toMatch(/^acme-aws[.@]/);
    for (const t of set.indexTemplates) {
      expect(t.body.index_patterns[0]).toMatch(/^acme-aws\.[a-z0-9_]+-\*$/);
      for (const c of t.body.composed_of) expect(c).toMatch(/^acme-aws[.@]/);
    }
  });
});

describe('buildTemplates: _meta hash', () => {
  const all = (set: TemplateSet) => [...set.componentTemplates, ...set.indexTemplates];

  it('marks every template as ours with a SHA-256 of its content', () => {
    for (const { body } of all(TEMPLATES)) {
      expect(body._meta.managed_by).toBe('central-logging');
      expect(body._meta.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(all(TEMPLATES).map((t) => t.body._meta.hash)).size).toBe(all(TEMPLATES).length);
  });

  it('is stable: equal options give equal hashes, whatever their order', () => {
    expect(buildTemplates()).toEqual(TEMPLATES);
    expect(buildTemplates({ prefix: 'logs', shards: 1, replicas: 1 })).toEqual(TEMPLATES);
    expect(buildTemplates({ replicas: 0, shards: 2 })).toEqual(buildTemplates({ shards: 2, replicas: 0 }));
  });

  it('changes only for the template whose content changed', () => {
    const changed = buildTemplates({ replicas: 0 });
    for (const [i, { name, body }] of all(changed).entries()) {
      const before = all(TEMPLATES)[i];
      expect(before?.name).toBe(name);
      expect(body._meta.hash === before?.body._meta.hash, name).toBe(name !== 'logs-aws@settings');
    }
  });
});

describe('indexNameFor', () => {
  it('names the UTC day of @timestamp', () => {
    expect(indexNameFor('aws.vpcflow', '2023-11-14T22:13:20Z')).toBe('logs-aws.vpcflow-2023.11.14');
    expect(indexNameFor('aws.cloudtrail', '2023-01-02T00:00:00.000Z')).toBe('logs-aws.cloudtrail-2023.01.02');
    expect(indexNameFor('aws.container', '2024-10-18T19:38:39.661538911Z')).toBe(
      'logs-aws.container-2024.10.18',
    );
    expect(indexNameFor('aws.lambda', '2024-02-29T23:59:59.999Z')).toBe('logs-aws.lambda-2024.02.29');
    expect(indexNameFor('aws.guardduty', '2023-11-14')).toBe('logs-aws.guardduty-2023.11.14');
    // An offset moves the instant into the next UTC day.
    expect(indexNameFor('aws.vpcflow', '2023-11-14T23:30:00-05:00')).toBe('logs-aws.vpcflow-2023.11.15');
    expect(indexNameFor('aws.vpcflow', '2023-11-14T01:00:00+02:00')).toBe('logs-aws.vpcflow-2023.11.13');
    expect(indexNameFor('aws.vpcflow', '2023-11-14T22:13:20Z', 'acme')).toBe('acme-aws.vpcflow-2023.11.14');
  });

  it('sends an unusable timestamp to the dataset’s invalid-timestamp index instead of throwing', () => {
    for (const bad of [
      '',
      'garbage',
      '1700000000000',
      'Nov 14 2023',
      '2023-11-14T22:13:20', // no zone: Date.parse would use the machine's
      '2023-11-14 22:13:20Z',
      '2023-02-29T00:00:00Z', // not a leap year: Date.parse would roll over to March 1
      '2023-04-31T00:00:00Z',
      '2023-13-01T00:00:00Z',
      '2023-00-10T00:00:00Z',
      '2023-11-14T25:00:00Z',
      '1969-12-31T23:59:59Z',
      '+050000-01-01T00:00:00Z',
      '9999-12-31T23:00:00-05:00', // year 10000 in UTC
    ]) {
      expect(indexNameFor('aws.vpcflow', bad), bad).toBe(`logs-aws.vpcflow-${INVALID_TIMESTAMP_SUFFIX}`);
    }
  });

  it('agrees with toISOString for any instant, and never throws for any string', () => {
    const dataset = fc.constantFrom<Dataset>(...DATASETS);
    fc.assert(
      fc.property(
        dataset,
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (d, date) => {
          const iso = date.toISOString();
          expect(indexNameFor(d, iso)).toBe(`logs-${d}-${iso.slice(0, 10).replaceAll('-', '.')}`);
        },
      ),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(dataset, fc.string({ unit: 'binary' }), (d, text) => {
        expect(indexNameFor(d, text)).toMatch(
          /^logs-aws\.[a-z0-9_]+-(\d{4}\.\d{2}\.\d{2}|invalid-timestamp)$/,
        );
      }),
      { numRuns: 10_000 },
    );
  });
});
