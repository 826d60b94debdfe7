/**
 * Where documents go in OpenSearch, and the index templates that map them, generated from the
 * shared field catalogue (`LOG_DOCUMENT_FIELDS` in `@central-logging/log-schema`).
 *
 * Index layout (decided): one DAILY index per dataset, `<prefix>-<dataset>-<yyyy.MM.dd>` from the
 * document's `@timestamp` UTC date, e.g. `logs-aws.vpcflow-2023.11.14`; the prefix defaults to
 * `logs`. Not data streams: a data stream only accepts `op_type: create`, and `create` with our
 * `_id` (the CloudWatch Logs `event.id`) only deduplicates within one backing index, so a
 * redelivery or replay after a rollover would index the event twice. An index derived from the
 * event's own time always receives the same event in the same index, so `_id` stays unique
 * forever and replay is safe at any age. Retention (deleting old days) is ISM's job, configured
 * by the dashboards app.
 *
 * Templates, all named after the prefix:
 * - `<prefix>-aws@settings` (component): shards, replicas, refresh interval and the mapping guards;
 * - `<prefix>-aws@mappings` (component): the fields every dataset shares (ECS, `aws.cloudwatch`)
 *   and how unknown fields are mapped;
 * - `<prefix>-<dataset>@mappings` (component): that dataset's `aws.<dataset>.*` fields;
 * - `<prefix>-<dataset>` (composable index template): `<prefix>-<dataset>-*` ← the three above.
 * A changed template applies to indices created after it, i.e. from the next day on.
 */
import { createHash } from 'node:crypto';
import { errors, type API, type Client, type Types } from '@opensearch-project/opensearch';
import {
  DATASETS,
  LOG_DOCUMENT_FIELDS,
  type Dataset,
  type FieldKind,
  type FieldTree,
} from '@central-logging/log-schema';

type Property = Types.Common_Mapping.Property;

/** Index and template names start with this unless configured otherwise. */
export const DEFAULT_INDEX_PREFIX = 'logs';

/**
 * The date part of the index for a document whose `@timestamp` is not a usable ISO-8601 time:
 * such documents still get indexed (under the dataset's template) and are easy to find and fix,
 * rather than failing the batch or landing in a wrong day.
 */
export const INVALID_TIMESTAMP_SUFFIX = 'invalid-timestamp';

/** Marks templates this code owns, in their `_meta.managed_by`. */
export const TEMPLATE_OWNER = 'central-logging';

/** Knobs of the generated templates. Every one has a production default. */
export interface TemplateOptions {
  /** First part of every index and template name (lower case). Default `logs`. */
  readonly prefix?: string;
  /** Primary shards per daily index. Default 1: one dataset's day rarely nears a shard's ~30 GB. */
  readonly shards?: number;
  /** Replicas per shard. Default 1; a single-node cluster (tests, local pipeline) needs 0. */
  readonly replicas?: number;
  /** How soon indexed documents become searchable. Default `1s` ("searchable within seconds"). */
  readonly refreshInterval?: string;
  /**
   * `index.mapping.total_fields.limit`. Default 2000: the catalogue maps a few hundred fields, so
   * this leaves room for dynamically mapped ones while bounding how far the mapping can grow.
   */
  readonly totalFieldsLimit?: number;
  /** `index.mapping.depth.limit`. Default 10: the deepest catalogue object is 5 levels down. */
  readonly depthLimit?: number;
}

/** `_meta` of every generated template: who owns it and a hash of everything else in it. */
export interface TemplateMeta {
  readonly managed_by: typeof TEMPLATE_OWNER;
  readonly hash: string;
}

/** A component template's PUT body. */
export type ComponentTemplateBody = API.Cluster_PutComponentTemplate_RequestBody & { _meta: TemplateMeta };

/** A composable index template's PUT body. */
export type IndexTemplateBody = API.Indices_PutIndexTemplate_RequestBody & {
  index_patterns: string[];
  composed_of: string[];
  priority: number;
  _meta: TemplateMeta;
};

/** Every template, in the order they must be applied (an index template names its components). */
export interface TemplateSet {
  readonly componentTemplates: ReadonlyArray<{ readonly name: string; readonly body: ComponentTemplateBody }>;
  readonly indexTemplates: ReadonlyArray<{ readonly name: string; readonly body: IndexTemplateBody }>;
}

/** What {@link ensureTemplates} did to one template. */
export type TemplateOutcome = 'created' | 'updated' | 'unchanged';

/** One line of the {@link TemplateReport}. */
export interface TemplateResult {
  readonly kind: 'component' | 'index';
  readonly name: string;
  readonly outcome: TemplateOutcome;
}

/** What {@link ensureTemplates} did, per template, in the order it applied them. */
export interface TemplateReport {
  readonly templates: readonly TemplateResult[];
}

/** OpenSearch refused a template, or could not be asked; `template` names which. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(
    readonly template: string,
    /** The HTTP status, when OpenSearch answered. */
    readonly status: number | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// Above the priority-100 templates a distribution or plugin may install for `logs-*`.
const INDEX_TEMPLATE_PRIORITY = 200;

// ECS's default for keywords. Lucene refuses a term above 32,766 bytes with an error that rejects
// the whole document; longer values are kept in _source and just not indexed.
const KEYWORD_IGNORE_ABOVE = 1024;

// Index names are lower case and may not start with -, _, + or . (hidden), nor contain \/*?"<>|,# :
// https://opensearch.org/docs/latest/api-reference/index-apis/create-index/#index-naming-restrictions
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

interface ResolvedOptions {
  readonly prefix: string;
  readonly shards: number;
  readonly replicas: number;
  readonly refreshInterval: string;
  readonly totalFieldsLimit: number;
  readonly depthLimit: number;
}

function resolveOptions(options: TemplateOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    prefix: options.prefix ?? DEFAULT_INDEX_PREFIX,
    shards: options.shards ?? 1,
    replicas: options.replicas ?? 1,
    refreshInterval: options.refreshInterval ?? '1s',
    totalFieldsLimit: options.totalFieldsLimit ?? 2000,
    depthLimit: options.depthLimit ?? 10,
  };
  if (!PREFIX_PATTERN.test(resolved.prefix)) {
    throw new RangeError(
      `template prefix ${JSON.stringify(resolved.prefix)} cannot start an index name: use lower-case letters, digits, '.', '_' and '-', not first '.', '_' or '-'`,
    );
  }
  const minimums = { shards: 1, replicas: 0, totalFieldsLimit: 1, depthLimit: 1 } as const;
  for (const [key, minimum] of Object.entries(minimums) as Array<[keyof typeof minimums, number]>) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new RangeError(`template option ${key} must be an integer ≥ ${minimum}, got ${value}`);
    }
  }
  return resolved;
}

/** The index a document of `dataset` with `@timestamp` = `timestamp` belongs in. Never throws. */
export function indexNameFor(
  dataset: Dataset,
  timestamp: string,
  prefix: string = DEFAULT_INDEX_PREFIX,
): string {
  return `${prefix}-${dataset}-${utcDayOf(timestamp) ?? INVALID_TIMESTAMP_SUFFIX}`;
}

// ISO-8601 as our documents write it: a date, optionally a time WITH a zone. A time without a zone
// would be read in the machine's local zone by Date.parse, and other formats are guessed at.
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

// `yyyy.MM.dd` of the UTC day `timestamp` falls on, or undefined when it is not a real time: not
// ISO-8601, a calendar date Date.parse would roll over (2023-02-30 → March 2), or a year before
// 1970 or after 9999 (no AWS log is that old; a 5-digit year has no `yyyy`).
function utcDayOf(timestamp: string): string | undefined {
  const match = ISO_TIMESTAMP.exec(timestamp);
  if (match === null) return undefined;
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  const millis = Date.parse(timestamp);
  if (Number.isNaN(millis)) return undefined;
  const utc = new Date(millis);
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 1970 || utcYear > 9999) return undefined;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${utcYear}.${two(utc.getUTCMonth() + 1)}.${two(utc.getUTCDate())}`;
}

/** The name of the component template holding `dataset`'s own fields. */
function datasetMappingsName(prefix: string, dataset: Dataset): string {
  return `${prefix}-${dataset}@mappings`;
}

/** Every template for `options`, with `_meta.hash` filled in. Pure: the same options give equal bodies. */
export function buildTemplates(options: TemplateOptions = {}): TemplateSet {
  const o = resolveOptions(options);
  const settingsName = `${o.prefix}-aws@settings`;
  const mappingsName = `${o.prefix}-aws@mappings`;

  // `aws.<dataset>` groups go to their dataset's template; everything else (ECS, aws.cloudwatch)
  // is shared. A group that is no dataset's lands in the shared part, so no field is ever dropped.
  const { aws, ...ecs } = LOG_DOCUMENT_FIELDS;
  const awsGroups: FieldTree = aws;
  const datasetGroups = new Map<Dataset, FieldTree>();
  for (const dataset of DATASETS) {
    const group = awsGroups[datasetGroupKey(dataset)];
    if (group !== undefined && typeof group !== 'string') datasetGroups.set(dataset, group);
  }
  const sharedAws = Object.fromEntries(
    Object.entries(awsGroups).filter(([key]) => !DATASETS.some((d) => datasetGroupKey(d) === key)),
  );

  const componentTemplates: Array<{ name: string; body: ComponentTemplateBody }> = [
    {
      name: settingsName,
      body: withMeta({
        template: {
          settings: {
            index: {
              number_of_shards: o.shards,
              number_of_replicas: o.replicas,
              refresh_interval: o.refreshInterval,
              mapping: {
                total_fields: { limit: o.totalFieldsLimit },
                depth: { limit: o.depthLimit },
                // A value that does not fit its field (an `ip` field holding "AWS Internal", a
                // non-date in a date) is left out of the index and listed in `_ignored`, instead
                // of rejecting the whole document (OpenSearch 2.19 ignores an object sent to a scalar
                // field the same way). A scalar where an object is mapped still rejects it: that is
                // the dead-letter path.
                ignore_malformed: true,
              },
            },
          },
        },
      }),
    },
    {
      name: mappingsName,
      body: withMeta({
        template: {
          mappings: {
            dynamic: true,
            // Guessing types from the first value seen would fix a field as date or number for
            // the whole day, and every later value that is neither would go unindexed.
            date_detection: false,
            numeric_detection: false,
            dynamic_templates: [
              {
                strings_as_keyword: {
                  match_mapping_type: 'string',
                  mapping: { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE },
                },
              },
            ],
            properties: propertiesOf({ ...ecs, aws: sharedAws }),
          },
        },
      }),
    },
    ...DATASETS.map((dataset) => {
      const group = datasetGroups.get(dataset);
      return {
        name: datasetMappingsName(o.prefix, dataset),
        body: withMeta({
          template: {
            // aws.cloudwatch_logs (generic logs) has no fields of its own; its template exists
            // anyway so every index template has the same shape and a place for them.
            mappings: {
              properties:
                group === undefined ? {} : propertiesOf({ aws: { [datasetGroupKey(dataset)]: group } }),
            },
          },
        }),
      };
    }),
  ];

  const indexTemplates = DATASETS.map((dataset) => ({
    name: `${o.prefix}-${dataset}`,
    body: withMeta({
      index_patterns: [`${o.prefix}-${dataset}-*`],
      // Later components override earlier ones; none of these overlap.
      composed_of: [settingsName, mappingsName, datasetMappingsName(o.prefix, dataset)],
      priority: INDEX_TEMPLATE_PRIORITY,
    }),
  }));

  return { componentTemplates, indexTemplates };
}

// `aws.vpcflow` → `vpcflow`: the key of the dataset's group under `aws` (log-schema tests that
// every dataset is `aws.<group>`).
function datasetGroupKey(dataset: Dataset): string {
  return dataset.slice('aws.'.length);
}

function propertiesOf(tree: FieldTree): Record<string, Property> {
  return Object.fromEntries(
    Object.entries(tree).map(([key, node]): [string, Property] => [
      key,
      typeof node === 'string' ? propertyFor(node) : { properties: propertiesOf(node) },
    ]),
  );
}

/** The OpenSearch mapping of one catalogue kind. */
function propertyFor(kind: FieldKind): Property {
  switch (kind) {
    case 'keyword':
      return { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
    case 'keyword_with_text':
      // ECS names the analysed multi-field `text` (`user_agent.original.text`).
      return { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE, fields: { text: { type: 'text' } } };
    case 'source_only':
      // ECS event.original: in _source for reading and re-parsing, no index or doc values.
      return { type: 'keyword', index: false, doc_values: false };
    case 'text':
    case 'ip':
    case 'date':
    case 'boolean':
    case 'long':
    case 'integer':
    case 'short':
    case 'float':
    case 'double':
    case 'flat_object':
      return { type: kind };
  }
}

function withMeta<T extends object>(body: T): T & { _meta: TemplateMeta } {
  return { ...body, _meta: { managed_by: TEMPLATE_OWNER, hash: hashOf(body) } };
}

// SHA-256 of the body as JSON with keys sorted at every level, so the hash depends on content only.
function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Makes the cluster's templates match {@link buildTemplates}: reads what exists, compares
 * `_meta.hash`, and PUTs only what is missing or different (component templates first, since
 * index templates name them). Safe to run any number of times, from several places at once.
 * Throws {@link TemplateError} naming the template and OpenSearch's reason.
 */
export async function ensureTemplates(
  client: Client,
  options: TemplateOptions = {},
): Promise<TemplateReport> {
  const prefix = options.prefix ?? DEFAULT_INDEX_PREFIX;
  const { componentTemplates, indexTemplates } = buildTemplates(options);
  // One read per kind; the pattern can match names we do not manage, which are simply not used.
  const pattern = `${prefix}-*`;
  const templates: TemplateResult[] = [];

  const existingComponents = await call(pattern, 'read component templates', () =>
    client.cluster.getComponentTemplate({ name: pattern }, { ignore: [404] }),
  );
  const componentHashes = hashesByName(
    (existingComponents.body.component_templates ?? []).map((t) => [t.name, t.component_template._meta]),
  );
  for (const { name, body } of componentTemplates) {
    const outcome = outcomeFor(componentHashes, name, body._meta.hash);
    if (outcome !== 'unchanged') {
      await call(name, 'put component template', () => client.cluster.putComponentTemplate({ name, body }));
    }
    templates.push({ kind: 'component', name, outcome });
  }

  const existingIndexTemplates = await call(pattern, 'read index templates', () =>
    client.indices.getIndexTemplate({ name: pattern }, { ignore: [404] }),
  );
  const indexHashes = hashesByName(
    (existingIndexTemplates.body.index_templates ?? []).map((t) => [t.name, t.index_template._meta]),
  );
  for (const { name, body } of indexTemplates) {
    const outcome = outcomeFor(indexHashes, name, body._meta.hash);
    if (outcome !== 'unchanged') {
      await call(name, 'put index template', () => client.indices.putIndexTemplate({ name, body }));
    }
    templates.push({ kind: 'index', name, outcome });
  }

  return { templates };
}

// A template we did not write (no hash) or an older version of ours is replaced: the names are ours.
function hashesByName(
  entries: ReadonlyArray<[string, Record<string, unknown> | undefined]>,
): Map<string, string | undefined> {
  return new Map(
    entries.map(([name, meta]) => [name, typeof meta?.['hash'] === 'string' ? meta['hash'] : undefined]),
  );
}

function outcomeFor(existing: Map<string, string | undefined>, name: string, hash: string): TemplateOutcome {
  if (!existing.has(name)) return 'created';
  return existing.get(name) === hash ? 'unchanged' : 'updated';
}

async function call<T>(template: string, action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof errors.ResponseError) {
      throw new TemplateError(
        template,
        error.statusCode,
        `cannot ${action} ${template}: OpenSearch answered ${error.statusCode}: ${serverReason(error.body)}`,
        { cause: error },
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new TemplateError(template, undefined, `cannot ${action} ${template}: ${detail}`, { cause: error });
  }
}

// OpenSearch errors look like {"error":{"type":"…","reason":"…","caused_by":{…}},"status":400}; the
// useful part ("Limit of total fields [10] has been exceeded") is often two causes down.
function serverReason(body: unknown): string {
  let error = isObject(body) ? body['error'] : undefined;
  if (typeof error === 'string') return error;
  if (!isObject(error)) return JSON.stringify(body);
  const parts: string[] = [];
  while (isObject(error)) {
    parts.push(`${String(error['type'])}: ${String(error['reason'])}`);
    error = error['caused_by'];
  }
  return parts.join('; caused by ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
