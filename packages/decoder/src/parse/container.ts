import type { ContainerLogFields } from '@central-logging/log-schema';
import { parseHttpAccessLine } from './http-access.ts';
import { asEpochMillis, asRecord, asString, tryParseJson } from './json-fields.ts';
import type { JsonRecord } from './json-fields.ts';
import type { ParseContext, ParsedFields, ParseResult } from './types.ts';

/**
 * Container stdout/stderr in CloudWatch Logs, in the shapes the common shippers write:
 * - Docker json-file records `{"log":"…\n","stream":"stdout","time":"…"}`
 *   (https://docs.docker.com/engine/logging/drivers/json-file/);
 * - Fluent Bit on EKS (Container Insights) with the kubernetes filter's `kubernetes` object
 *   (https://docs.fluentbit.io/manual/pipeline/filters/kubernetes), log group
 *   `/aws/containerinsights/<cluster>/application`;
 * - ECS FireLens records with `container_id`, `container_name`, `ecs_cluster`, `ecs_task_arn`,
 *   `ecs_task_definition`, `source` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html);
 * - plain text lines from the awslogs driver.
 * The application's own line becomes `message`; JSON lines give `log.level`, HTTP access lines
 * give `http.*`/`url.*`.
 */

// Keys that, beside a string `log`, mark a shipper's record rather than an application's JSON.
const SHIPPER_KEYS = [
  'stream',
  'time',
  'kubernetes',
  'container_id',
  'container_name',
  'ecs_cluster',
  'ecs_task_arn',
  'source',
  'logtag',
] as const;

/** True when `json` is a container shipper record: a string `log` plus stream/time/metadata. */
export function isContainerRecord(json: unknown): boolean {
  const record = asRecord(json);
  if (record === undefined || typeof record['log'] !== 'string') return false;
  for (const key of SHIPPER_KEYS) if (record[key] !== undefined) return true;
  return false;
}

/** Parses one container log event: shipper record, application JSON line or plain text. */
export function parseContainerLog(message: string, ctx: ParseContext, json?: unknown): ParseResult {
  let value = json;
  if (value === undefined && message.charCodeAt(0) === 123 /* { */) value = tryParseJson(message);
  const fields: ParsedFields = {};
  const container: ContainerLogFields = {};
  let timestamp: number | undefined;

  const record = asRecord(value);
  if (record !== undefined && isContainerRecord(record)) {
    timestamp = readShipperRecord(record, fields, container);
    readApplicationLine(trimNewline(record['log'] as string), fields, container);
  } else if (record !== undefined) {
    // An application's JSON line written straight to the awslogs driver.
    fields.message = message;
    readApplicationJson(record, fields);
  } else {
    readApplicationLine(trimNewline(message), fields, container);
  }
  clusterFromLogGroup(ctx.logGroup, fields);

  if (Object.keys(container).length > 0) fields.aws = { container };
  return { dataset: 'aws.container', timestamp, fields };
}

/** Copies the shipper's metadata; returns the record time in epoch ms, if it has one. */
function readShipperRecord(
  record: JsonRecord,
  fields: ParsedFields,
  container: ContainerLogFields,
): number | undefined {
  const stream = asString(record['stream']) ?? asString(record['source']);
  if (stream !== undefined) container.stream = stream;
  let timestamp: number | undefined;
  const time = asString(record['time']);
  if (time !== undefined) {
    container.time = time;
    timestamp = asEpochMillis(time);
  }

  const k8s = asRecord(record['kubernetes']);
  if (k8s !== undefined) {
    const kubernetes: NonNullable<ContainerLogFields['kubernetes']> = {};
    const podName = asString(k8s['pod_name']);
    const namespace = asString(k8s['namespace_name']);
    const podId = asString(k8s['pod_id']);
    const host = asString(k8s['host']);
    const containerName = asString(k8s['container_name']);
    const dockerId = asString(k8s['docker_id']);
    const image = asString(k8s['container_image']);
    if (podName !== undefined) kubernetes.pod_name = podName;
    if (namespace !== undefined) kubernetes.namespace_name = namespace;
    if (podId !== undefined) kubernetes.pod_id = podId;
    if (host !== undefined) kubernetes.host = host;
    if (containerName !== undefined) kubernetes.container_name = containerName;
    if (dockerId !== undefined) kubernetes.docker_id = dockerId;
    if (image !== undefined) kubernetes.container_image = image;
    const labels = stringMap(k8s['labels']);
    if (labels !== undefined) kubernetes.labels = labels;
    container.kubernetes = kubernetes;

    const orchestrator: NonNullable<ParsedFields['orchestrator']> = { type: 'kubernetes' };
    if (namespace !== undefined) orchestrator.namespace = namespace;
    if (podName !== undefined || podId !== undefined) {
      orchestrator.resource = { type: 'pod' };
      if (podName !== undefined) orchestrator.resource.name = podName;
      if (podId !== undefined) orchestrator.resource.id = podId;
    }
    fields.orchestrator = orchestrator;
    if (host !== undefined) fields.host = { name: host };
    setContainer(fields, dockerId, containerName, image);
    return timestamp;
  }

  const cluster = asString(record['ecs_cluster']);
  const taskArn = asString(record['ecs_task_arn']);
  const taskDefinition = asString(record['ecs_task_definition']);
  const containerId = asString(record['container_id']);
  // Docker reports names with a leading slash (`/ecs-app-1-web-…`).
  const rawName = asString(record['container_name']);
  const containerName = rawName?.startsWith('/') === true ? rawName.slice(1) || undefined : rawName;
  if (cluster !== undefined || taskArn !== undefined || taskDefinition !== undefined) {
    const ecs: NonNullable<ContainerLogFields['ecs']> = {};
    if (cluster !== undefined) ecs.cluster = cluster;
    if (taskArn !== undefined) ecs.task_arn = taskArn;
    if (taskDefinition !== undefined) ecs.task_definition = taskDefinition;
    if (rawName !== undefined) ecs.container_name = rawName;
    container.ecs = ecs;
    const orchestrator: NonNullable<ParsedFields['orchestrator']> = { type: 'ecs' };
    if (cluster !== undefined) orchestrator.cluster = { name: cluster };
    if (taskArn !== undefined) orchestrator.resource = { type: 'task', id: taskArn };
    fields.orchestrator = orchestrator;
  }
  setContainer(fields, containerId, containerName, undefined);
  return timestamp;
}

function setContainer(
  fields: ParsedFields,
  id: string | undefined,
  name: string | undefined,
  image: string | undefined,
): void {
  if (id === undefined && name === undefined && image === undefined) return;
  const out: NonNullable<ParsedFields['container']> = {};
  if (id !== undefined) out.id = id;
  if (name !== undefined) out.name = name;
  if (image !== undefined) out.image = splitImage(image);
  fields.container = out;
}

/** `registry:5000/team/app:1.2` → name `registry:5000/team/app`, tag `[1.2]`; digests stay in the name. */
function splitImage(image: string): NonNullable<NonNullable<ParsedFields['container']>['image']> {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/') && colon > 0 && colon < image.length - 1) {
    return { name: image.slice(0, colon), tag: [image.slice(colon + 1)] };
  }
  return { name: image };
}

/** The application's line: JSON with level/message, an HTTP access line, or plain text. */
function readApplicationLine(line: string, fields: ParsedFields, container: ContainerLogFields): void {
  fields.message = line;
  if (line.charCodeAt(0) === 123 /* { */) {
    const inner = asRecord(tryParseJson(line));
    if (inner !== undefined) {
      readApplicationJson(inner, fields);
      return;
    }
  }
  const access = parseHttpAccessLine(line);
  if (access === undefined) return;
  container.access_log_format = access.format;
  fields.http = access.http;
  fields.url = access.url;
  if (access.source !== undefined) fields.source = access.source;
  if (access.user_agent !== undefined) fields.user_agent = access.user_agent;
  if (access.userName !== undefined) fields.user = { name: access.userName };
  const event: NonNullable<ParsedFields['event']> = { kind: 'event', category: ['web'], type: ['access'] };
  const status = access.http.response?.status_code;
  if (status !== undefined) event.outcome = status >= 500 ? 'failure' : 'success';
  if (access.responseTimeMs !== undefined) {
    event.duration = Math.round(access.responseTimeMs * 1e6);
    container.response_time_ms = access.responseTimeMs;
  }
  fields.event = event;
}

// Common key spellings for level and message in JSON loggers (pino/bunyan `level`+`msg`,
// zap `level`+`msg`, logrus `level`+`msg`, structlog/winston/Serilog `level`/`@l`+`message`/`@m`).
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'log.level', '@l', 'loglevel'] as const;
const MESSAGE_KEYS = ['msg', 'message', '@m', '@mt'] as const;
// pino/bunyan numeric levels (https://getpino.io/#/docs/api?id=levels).
const NUMERIC_LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function readApplicationJson(record: JsonRecord, fields: ParsedFields): void {
  for (const key of LEVEL_KEYS) {
    const raw = record[key];
    const level = typeof raw === 'number' ? NUMERIC_LEVELS[raw] : asString(raw)?.toLowerCase();
    if (level !== undefined) {
      fields.log = { level };
      break;
    }
  }
  for (const key of MESSAGE_KEYS) {
    const text = asString(record[key]);
    if (text !== undefined) {
      fields.message = text;
      break;
    }
  }
}

/** EKS Container Insights log groups name the cluster: `/aws/containerinsights/<cluster>/<type>`. */
function clusterFromLogGroup(logGroup: string, fields: ParsedFields): void {
  const prefix = '/aws/containerinsights/';
  if (!logGroup.startsWith(prefix) || fields.orchestrator?.cluster?.name !== undefined) return;
  const end = logGroup.indexOf('/', prefix.length);
  const cluster = logGroup.slice(prefix.length, end < 0 ? undefined : end);
  if (cluster === '') return;
  fields.orchestrator = { ...fields.orchestrator, cluster: { name: cluster } };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value);
  if (record === undefined) return undefined;
  // fromEntries defines own properties, so a `__proto__` label stays a label.
  const entries = Object.entries(record).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function trimNewline(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return end === text.length ? text : text.slice(0, end);
}
