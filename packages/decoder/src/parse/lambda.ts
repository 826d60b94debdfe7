import type { LambdaFields } from '@central-logging/log-schema';
import { asEpochMillis, asRecord, asString, tryParseJson } from './json-fields.ts';
import type { JsonRecord } from './json-fields.ts';
import { parseFailure } from './types.ts';
import type { ParseContext, ParsedFields, ParseResult } from './types.ts';

/**
 * Lambda function log groups (`/aws/lambda/<function>`): the platform's START/END/REPORT lines
 * (text format) or `platform.*` records (JSON log format), and the function's own lines in the
 * runtime's text format or Lambda's JSON application log format.
 * Formats: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 * and https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html.
 */

const PLATFORM_PREFIXES = [
  'START RequestId:',
  'END RequestId:',
  'REPORT RequestId:',
  'INIT_START',
  'INIT_REPORT',
  'RESTORE_REPORT',
] as const;
const JSON_PLATFORM_TYPE = /"type"\s*:\s*"platform\./;

/** True when `message` is a Lambda platform line (START/END/REPORT/INIT_*, JSON `platform.*`). */
export function isLambdaPlatformLine(message: string): boolean {
  for (const prefix of PLATFORM_PREFIXES) if (message.startsWith(prefix)) return true;
  return message.charCodeAt(0) === 123 /* { */ && JSON_PLATFORM_TYPE.test(message);
}

/** Parses one event of a Lambda log group: platform line or record, or an application line. */
export function parseLambdaLog(message: string, ctx: ParseContext, json?: unknown): ParseResult {
  const fields: ParsedFields = {};
  const name = functionName(ctx.logGroup);
  if (name !== undefined) fields.faas = { name };

  let value = json;
  if (value === undefined && message.charCodeAt(0) === 123 /* { */) value = tryParseJson(message);
  const record = asRecord(value);
  if (record !== undefined) {
    const type = asString(record['type']);
    if (type?.startsWith('platform.') === true) return platformRecord(type, record, message, fields);
    return applicationJson(record, message, fields);
  }
  if (
    message.startsWith('START RequestId:') ||
    message.startsWith('END RequestId:') ||
    message.startsWith('REPORT RequestId:')
  ) {
    return requestLine(message, fields);
  }
  if (message.startsWith('INIT_') || message.startsWith('RESTORE_')) return initLine(message, fields);
  return applicationText(message, fields);
}

// `START RequestId: <id> Version: $LATEST`, `END RequestId: <id>`, `REPORT RequestId: <id>\t…`
const REQUEST_LINE = /^(START|END|REPORT) RequestId: ([0-9A-Za-z-]+)(?:[ \t]+Version: (\S+))?/;
// `Key: value` pairs of REPORT/INIT_REPORT lines, tab or space separated; keys are literals, so the
// alternation cannot backtrack into the value.
const METRIC =
  /(?:^|[\s])(Billed Restore Duration|Billed Duration|Restore Duration|Init Duration|Duration|Memory Size|Max Memory Used|Status|Error Type|Phase|TraceId|SegmentId|Sampled|Runtime Version ARN|Runtime Version): ([^\s]+)/g;

function requestLine(message: string, fields: ParsedFields): ParseResult {
  const m = REQUEST_LINE.exec(message);
  if (m === null) return parseFailure('lambda: platform line without a RequestId');
  const [, kind = '', requestId = '', version] = m;
  const text = trimEnd(message);
  fields.message = text;
  const lambda: LambdaFields = { record_type: kind, request_id: requestId };
  fields.faas = { ...fields.faas, execution: requestId };
  if (version !== undefined) {
    lambda.version = version;
    fields.faas.version = version;
  }
  fields.event = { kind: 'event' };
  if (kind === 'REPORT') readTextMetrics(text, lambda, fields, true);
  fields.aws = { lambda };
  return { dataset: 'aws.lambda', fields };
}

// `INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:…`,
// `INIT_REPORT Init Duration: 10003.31 ms\tPhase: init\tStatus: timeout`
function initLine(message: string, fields: ParsedFields): ParseResult {
  const text = trimEnd(message);
  const space = text.search(/\s/);
  const kind = space < 0 ? text : text.slice(0, space);
  fields.message = text;
  fields.event = { kind: 'event' };
  const lambda: LambdaFields = { record_type: kind };
  readTextMetrics(text, lambda, fields, false);
  const initMs = lambda.init_duration_ms ?? lambda.restore_duration_ms;
  if (initMs !== undefined) fields.event.duration = Math.round(initMs * 1e6);
  fields.aws = { lambda };
  return { dataset: 'aws.lambda', fields };
}

function readTextMetrics(text: string, lambda: LambdaFields, fields: ParsedFields, isReport: boolean): void {
  let traceId: string | undefined;
  METRIC.lastIndex = 0;
  for (let m = METRIC.exec(text); m !== null; m = METRIC.exec(text)) {
    const key = m[1];
    const raw = m[2] ?? '';
    const num = Number(raw);
    switch (key) {
      case 'Duration':
        if (Number.isFinite(num)) lambda.duration_ms = num;
        break;
      case 'Billed Duration':
        if (Number.isFinite(num)) lambda.billed_duration_ms = num;
        break;
      case 'Init Duration':
        if (Number.isFinite(num)) lambda.init_duration_ms = num;
        break;
      case 'Restore Duration':
        if (Number.isFinite(num)) lambda.restore_duration_ms = num;
        break;
      case 'Memory Size':
        if (Number.isFinite(num)) lambda.memory_size_mb = num;
        break;
      case 'Max Memory Used':
        if (Number.isFinite(num)) lambda.max_memory_used_mb = num;
        break;
      case 'Status':
        lambda.status = raw;
        break;
      case 'Error Type':
        lambda.error_type = raw;
        break;
      case 'Runtime Version':
        lambda.runtime_version = raw;
        break;
      case 'TraceId':
        traceId = raw;
        lambda.xray = { ...lambda.xray, trace_id: raw };
        break;
      case 'SegmentId':
        lambda.xray = { ...lambda.xray, segment_id: raw };
        break;
      case 'Sampled':
        lambda.xray = { ...lambda.xray, sampled: raw === 'true' };
        break;
      default:
        break;
    }
  }
  if (traceId !== undefined) fields.trace = { id: traceId };
  finishMetrics(lambda, fields, isReport);
}

/** event.duration/outcome, error.type and faas.coldstart from the collected metrics. */
function finishMetrics(lambda: LambdaFields, fields: ParsedFields, isReport: boolean): void {
  const event = (fields.event ??= {});
  if (lambda.duration_ms !== undefined) event.duration = Math.round(lambda.duration_ms * 1e6);
  if (lambda.status !== undefined) {
    const status = lambda.status.toLowerCase();
    event.outcome = status === 'success' ? 'success' : 'failure';
  } else if (isReport) {
    event.outcome = 'success';
  }
  if (lambda.error_type !== undefined) fields.error = { type: lambda.error_type };
  // Init Duration is reported only on the first invocation of an environment (a cold start); a
  // SnapStart restore reports Restore Duration instead.
  if (isReport) {
    fields.faas = {
      ...fields.faas,
      coldstart: lambda.init_duration_ms !== undefined || lambda.restore_duration_ms !== undefined,
    };
  }
}

// platform.start / platform.runtimeDone / platform.report / platform.initStart / … (Telemetry API schema)
function platformRecord(
  type: string,
  record: JsonRecord,
  message: string,
  fields: ParsedFields,
): ParseResult {
  const body = asRecord(record['record']);
  const lambda: LambdaFields = { record_type: type };
  fields.message = trimEnd(message);
  fields.event = { kind: 'event' };
  if (body !== undefined) {
    const requestId = asString(body['requestId']);
    if (requestId !== undefined) {
      lambda.request_id = requestId;
      fields.faas = { ...fields.faas, execution: requestId };
    }
    const version = asString(body['version']);
    if (version !== undefined) {
      lambda.version = version;
      fields.faas = { ...fields.faas, version };
    }
    const runtimeVersion = asString(body['runtimeVersion']);
    if (runtimeVersion !== undefined) lambda.runtime_version = runtimeVersion;
    const status = asString(body['status']);
    if (status !== undefined) lambda.status = status;
    const errorType = asString(body['errorType']);
    if (errorType !== undefined) lambda.error_type = errorType;
    const metrics = asRecord(body['metrics']);
    if (metrics !== undefined) {
      const isInit = type === 'platform.initReport' || type === 'platform.restoreReport';
      setNumber(
        lambda,
        isInit
          ? type === 'platform.initReport'
            ? 'init_duration_ms'
            : 'restore_duration_ms'
          : 'duration_ms',
        metrics['durationMs'],
      );
      setNumber(lambda, 'billed_duration_ms', metrics['billedDurationMs']);
      setNumber(lambda, 'memory_size_mb', metrics['memorySizeMB']);
      setNumber(lambda, 'max_memory_used_mb', metrics['maxMemoryUsedMB']);
      setNumber(lambda, 'init_duration_ms', metrics['initDurationMs']);
      setNumber(lambda, 'restore_duration_ms', metrics['restoreDurationMs']);
    }
    // tracing: {"type":"X-Amzn-Trace-Id","value":"Root=1-…;Parent=…;Sampled=1"}
    const tracing = asString(asRecord(body['tracing'])?.['value']);
    if (tracing !== undefined) {
      const xray = parseTraceHeader(tracing);
      if (xray !== undefined) {
        lambda.xray = xray;
        if (xray.trace_id !== undefined) fields.trace = { id: xray.trace_id };
      }
    }
  }
  finishMetrics(lambda, fields, type === 'platform.report');
  if (
    lambda.duration_ms === undefined &&
    type === 'platform.initReport' &&
    lambda.init_duration_ms !== undefined
  ) {
    fields.event.duration = Math.round(lambda.init_duration_ms * 1e6);
  }
  fields.aws = { lambda };
  return { dataset: 'aws.lambda', timestamp: asEpochMillis(record['time']), fields };
}

function setNumber(
  lambda: LambdaFields,
  key:
    | 'duration_ms'
    | 'billed_duration_ms'
    | 'init_duration_ms'
    | 'restore_duration_ms'
    | 'memory_size_mb'
    | 'max_memory_used_mb',
  value: unknown,
): void {
  const n = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  if (n !== undefined) lambda[key] = n;
}

function parseTraceHeader(header: string): LambdaFields['xray'] {
  let xray: LambdaFields['xray'];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Root') xray = { ...xray, trace_id: value };
    else if (key === 'Parent') xray = { ...xray, segment_id: value };
    else if (key === 'Sampled') xray = { ...xray, sampled: value === '1' };
  }
  return xray;
}

// Lambda's JSON application log format: {"timestamp","level","requestId","message"} plus, for
// errors, errorType/errorMessage/stackTrace; Powertools adds function_request_id, xray_trace_id.
function applicationJson(record: JsonRecord, message: string, fields: ParsedFields): ParseResult {
  const level = asString(record['level']) ?? asString(record['log_level']);
  if (level !== undefined) fields.log = { level: level.toLowerCase() };
  const text = record['message'];
  if (typeof text === 'string') fields.message = text;
  else if (text !== undefined && text !== null) fields.message = safeStringify(text) ?? message;
  else fields.message = asString(record['errorMessage']) ?? message;
  const requestId =
    asString(record['requestId']) ??
    asString(record['function_request_id']) ??
    asString(record['AWSRequestId']);
  if (requestId !== undefined) {
    fields.faas = { ...fields.faas, execution: requestId };
    fields.aws = { lambda: { request_id: requestId } };
  }
  const errorType = asString(record['errorType']);
  const errorMessage = asString(record['errorMessage']);
  if (errorType !== undefined || errorMessage !== undefined) {
    fields.error = {};
    if (errorType !== undefined) fields.error.type = errorType;
    if (errorMessage !== undefined) fields.error.message = errorMessage;
  }
  const traceId = asString(record['xray_trace_id']);
  if (traceId !== undefined) fields.trace = { id: traceId };
  const timestamp = asEpochMillis(record['timestamp']);
  return { dataset: 'aws.lambda', timestamp, fields };
}

// Runtime text formats:
//   Node.js  `2024-01-01T00:00:00.000Z\t<requestId>\tINFO\tmessage`
//   Python   `[INFO]\t2024-01-01T00:00:00.000Z\t<requestId>\tmessage` and `[ERROR] Runtime.…: …`
// (request id is `undefined` outside a handler in Node.js).
const NODE_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)\t([0-9A-Za-z-]+)\t([A-Z]+)\t/;
const PYTHON_LINE = /^\[([A-Z]+)\]\t(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)\t([0-9A-Za-z-]+)\t/;
const BARE_LEVEL = /^\[(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\] /;

function applicationText(message: string, fields: ParsedFields): ParseResult {
  const text = trimEnd(message);
  let level: string | undefined;
  let requestId: string | undefined;
  let time: string | undefined;
  let rest = text;
  const node = NODE_LINE.exec(text);
  if (node !== null) {
    [, time, requestId, level] = node;
    rest = text.slice(node[0].length);
  } else {
    const python = PYTHON_LINE.exec(text);
    if (python !== null) {
      [, level, time, requestId] = python;
      rest = text.slice(python[0].length);
    } else {
      const bare = BARE_LEVEL.exec(text);
      if (bare !== null) {
        level = bare[1];
        rest = text.slice(bare[0].length);
      }
    }
  }
  fields.message = rest;
  if (level !== undefined) fields.log = { level: level.toLowerCase() };
  if (requestId !== undefined && requestId !== 'undefined') {
    fields.faas = { ...fields.faas, execution: requestId };
    fields.aws = { lambda: { request_id: requestId } };
  }
  return { dataset: 'aws.lambda', timestamp: time === undefined ? undefined : asEpochMillis(time), fields };
}

/** `/aws/lambda/<name>`; Lambda@Edge groups are `/aws/lambda/us-east-1.<name>`. */
function functionName(logGroup: string): string | undefined {
  const prefix = '/aws/lambda/';
  if (!logGroup.startsWith(prefix) || logGroup.length === prefix.length) return undefined;
  return logGroup.slice(prefix.length);
}

function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 9 && c !== 32) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
