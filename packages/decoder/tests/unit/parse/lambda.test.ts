import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLambdaPlatformLine, parseLambdaLog } from '../../../src/parse/lambda.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseResult } from '../../../src/parse/types.ts';
import { LAMBDA_DEVIATIONS, LAMBDA_VALUES, sameValue } from '../../support/agreement.ts';
import { binaryStrings, expectResultOrFailure, forAll, forAllJson } from '../../support/never-throws.ts';

// Datadog's enhanced-metrics test inputs and approved outputs, and Powertools' decoded Kinesis
// payloads of a real Lambda log group; see /work/shared/fixtures/peer/MANIFEST.md.
const FIXTURES = new URL('../../fixtures/lambda/', import.meta.url);
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

interface DatadogCase {
  test: string;
  input: string;
  expected_file?: string | null;
  expected?: unknown[];
  expected_asserts?: { name: string; value: number; tags_contain: string; no_memorysize_tag: boolean };
}
interface DatadogMetric {
  name: string;
  tags: string[];
  value: number;
}
interface CwlPayload {
  logGroup: string;
  logStream: string;
  owner: string;
  logEvents: { id: string; timestamp: number; message: string }[];
}

const CASES = (readJson('datadog_lambda_report_cases.json') as { cases: DatadogCase[] }).cases;
const CTX: ParseContext = {
  logGroup: '/aws/lambda/my-function',
  logStream: '2024/10/18/[$LATEST]abc',
  owner: '123456789012',
};

function parsed(result: ParseResult): ParsedEvent {
  if (isParseFailure(result)) throw new Error(`unexpected failure: ${result.failure}`);
  return result;
}

/** Datadog's metric values from our document: durations in seconds, memory in MB. */
function asDatadogMetrics(event: ParsedEvent): Map<string, number> {
  const lambda = event.fields.aws?.lambda ?? {};
  const out = new Map<string, number>();
  if (lambda.duration_ms !== undefined) out.set('aws.lambda.enhanced.duration', lambda.duration_ms / 1000);
  if (lambda.billed_duration_ms !== undefined)
    out.set('aws.lambda.enhanced.billed_duration', lambda.billed_duration_ms / 1000);
  if (lambda.max_memory_used_mb !== undefined)
    out.set('aws.lambda.enhanced.max_memory_used', lambda.max_memory_used_mb);
  if (lambda.init_duration_ms !== undefined)
    out.set('aws.lambda.enhanced.init_duration', lambda.init_duration_ms / 1000);
  if (lambda.status === 'timeout') out.set('aws.lambda.enhanced.timeouts', 1);
  return out;
}

// Datadog divides milliseconds by 1000 in floating point (LAMBDA_VALUES); estimated_cost is derived,
// not in the log (LAMBDA_DEVIATIONS): tests/support/agreement.ts, shared with the agreement report.
const close = (a: number | undefined, b: number): boolean =>
  a !== undefined && sameValue('', a, b, LAMBDA_VALUES);
// Every Lambda deviation holds on every case (no `where`, no `when`): it names a metric to skip.
const isDeliberate = (name: string): boolean => LAMBDA_DEVIATIONS.some((d) => d.field === name);

describe('parseLambdaLog against Datadog approved metrics', () => {
  const approved = CASES.filter((c) => typeof c.expected_file === 'string');

  it('has the four approved cases', () => {
    expect(approved.length).toBe(4);
  });

  it('agrees on every approved value and tag (estimated_cost is derived, not in the log)', () => {
    let compared = 0;
    let agreed = 0;
    const disagreements: string[] = [];
    for (const c of approved) {
      const event = parsed(parseLambdaLog(c.input, CTX));
      const ours = asDatadogMetrics(event);
      const metrics = readJson(c.expected_file ?? '') as DatadogMetric[];
      for (const metric of metrics) {
        if (isDeliberate(metric.name)) continue;
        compared++;
        if (close(ours.get(metric.name), metric.value)) agreed++;
        else
          disagreements.push(
            `${c.test} ${metric.name}: ours ${ours.get(metric.name)} datadog ${metric.value}`,
          );
        for (const tag of metric.tags) {
          compared++;
          const [key, value] = tag.split(':');
          const ourValue =
            key === 'memorysize'
              ? String(event.fields.aws?.lambda?.memory_size_mb)
              : String(event.fields.faas?.coldstart);
          if (ourValue === value) agreed++;
          else disagreements.push(`${c.test} tag ${tag}: ours ${ourValue}`);
        }
      }
      // Every metric we produce is one Datadog produces (nothing extra, nothing missing).
      compared++;
      const theirs = new Set(metrics.map((m) => m.name).filter((n) => !isDeliberate(n)));
      if ([...ours.keys()].every((k) => theirs.has(k)) && ours.size === theirs.size) agreed++;
      else disagreements.push(`${c.test}: metric sets differ`);
    }
    console.info(`lambda datadog agreement: ${agreed}/${compared} values+tags over ${approved.length} cases`);
    expect(disagreements).toEqual([]);
  });

  it('agrees with the partial-metrics JSON case', () => {
    const c = CASES.find((x) => x.expected_asserts !== undefined);
    const asserts = c?.expected_asserts;
    if (c === undefined || asserts === undefined) throw new Error('fixture case missing');
    const event = parsed(parseLambdaLog(c.input, CTX));
    const ours = asDatadogMetrics(event);
    expect(ours.size).toBe(1);
    expect(close(ours.get(asserts.name), asserts.value)).toBe(true);
    expect(`cold_start:${String(event.fields.faas?.coldstart)}`).toBe(asserts.tags_contain);
    expect(event.fields.aws?.lambda?.memory_size_mb === undefined).toBe(asserts.no_memorysize_tag);
    expect(event.fields.event?.outcome).toBe('success');
  });

  it('produces no metrics for a JSON line that is not a report', () => {
    const c = CASES.find((x) => x.test === 'test_parse_metrics_from_json_no_report');
    const event = parsed(parseLambdaLog(c?.input ?? '', CTX));
    expect(asDatadogMetrics(event).size).toBe(c?.expected?.length);
    expect(event.fields.message).toBe('abcd');
  });

  it('keeps the malformed REPORT line as a plain message without metrics', () => {
    // Only `REPORT RequestId:` is the platform's; an application may print "REPORT …" itself.
    const c = CASES.find((x) => x.input === 'REPORT invalid report log line');
    const event = parsed(parseLambdaLog(c?.input ?? '', CTX));
    expect(asDatadogMetrics(event).size).toBe(0);
    expect(event.fields.message).toBe(c?.input);
  });

  it('rejects a REPORT line whose RequestId is empty', () => {
    expect(isParseFailure(parseLambdaLog('REPORT RequestId: \tDuration: 1 ms', CTX))).toBe(true);
  });

  it('marks the timeout report as a failed cold start with its duration in ns and its time', () => {
    const c = approved.find((x) => x.input.startsWith('{'));
    const input = JSON.parse(c?.input ?? '{}') as {
      time: string;
      record: { requestId: string; metrics: { durationMs: number } };
    };
    const event = parsed(parseLambdaLog(c?.input ?? '', CTX));
    expect(event.fields.event?.outcome).toBe('failure');
    expect(event.fields.event?.duration).toBe(input.record.metrics.durationMs * 1e6);
    expect(event.fields.faas?.execution).toBe(input.record.requestId);
    expect(event.timestamp).toBe(Date.parse(input.time));
  });
});

describe('Powertools captured Lambda log groups', () => {
  const payloads = [
    'powertools_kinesisStreamCloudWatchLogsEvent.record0.DECODED.json',
    'powertools_kinesisStreamCloudWatchLogsEvent.record1.DECODED.json',
  ].map((f) => readJson(f) as CwlPayload);

  it('parses START/END/REPORT of each invocation consistently', () => {
    for (const payload of payloads) {
      const ctx: ParseContext = {
        logGroup: payload.logGroup,
        logStream: payload.logStream,
        owner: payload.owner,
      };
      const events = payload.logEvents.map((e) => {
        expect(isLambdaPlatformLine(e.message)).toBe(true);
        return parsed(parseLambdaLog(e.message, ctx));
      });
      const requestId = /RequestId: (\S+)/.exec(payload.logEvents[0]?.message ?? '')?.[1];
      expect(events.map((e) => e.fields.aws?.lambda?.record_type)).toEqual(['START', 'END', 'REPORT']);
      for (const e of events) {
        expect(e.fields.faas?.execution).toBe(requestId);
        expect(e.fields.faas?.name).toBe(payload.logGroup.slice('/aws/lambda/'.length));
        expect(e.fields.message?.endsWith('\n')).toBe(false);
      }
      expect(events[0]?.fields.faas?.version).toBe('$LATEST');
      const reportLine = payload.logEvents[2]?.message ?? '';
      const report = events[2];
      const duration = Number(/\tDuration: ([\d.]+) ms/.exec(reportLine)?.[1]);
      expect(report?.fields.aws?.lambda?.duration_ms).toBe(duration);
      expect(report?.fields.event?.duration).toBe(Math.round(duration * 1e6));
      expect(report?.fields.event?.outcome).toBe('success');
      expect(report?.fields.faas?.coldstart).toBe(reportLine.includes('Init Duration'));
      expect(report?.fields.trace?.id).toBe(/TraceId: (\S+)/.exec(reportLine)?.[1]);
      expect(report?.fields.aws?.lambda?.xray?.sampled).toBe(true);
    }
  });

  it('reads the level of Python "[ERROR] …" lines', () => {
    const payload = readJson('powertools_cloudWatchLogEventWithPolicyLevel.DECODED.json') as CwlPayload;
    for (const e of payload.logEvents) {
      const event = parsed(
        parseLambdaLog(e.message, {
          logGroup: payload.logGroup,
          logStream: payload.logStream,
          owner: payload.owner,
        }),
      );
      expect(event.fields.log?.level).toBe('error');
      expect(e.message.endsWith(event.fields.message ?? '\u0000')).toBe(true);
      expect(event.fields.faas).toBeUndefined(); // testLogGroup is not /aws/lambda/…
    }
  });
});

describe('variants of the X-Ray REPORT line (one change each)', () => {
  const base = CASES.find((c) => c.test === 'test_parse_metrics_from_report_with_xray')?.input ?? '';
  const report = (line: string): ParsedEvent => parsed(parseLambdaLog(line, CTX));

  it('base: warm start, success, trace id', () => {
    const event = report(base);
    expect(event.fields.faas).toMatchObject({
      name: 'my-function',
      coldstart: false,
      execution: '814ba7cb-071e-4181-9a09-fa41db5bccad',
    });
    expect(event.fields.trace?.id).toBe('1-5d83c0ad-b8eb33a0b1de97d804fac890');
    expect(event.fields.aws?.lambda?.xray).toEqual({
      trace_id: '1-5d83c0ad-b8eb33a0b1de97d804fac890',
      segment_id: '31255c3b19bd3637',
      sampled: true,
    });
  });
  it('Status: timeout → failure', () => {
    const event = report(
      base.replace('Max Memory Used: 98 MB\t', 'Max Memory Used: 98 MB\tStatus: timeout\t'),
    );
    expect(event.fields.event?.outcome).toBe('failure');
    expect(event.fields.aws?.lambda?.status).toBe('timeout');
  });
  it('Status: error with Error Type → failure and error.type', () => {
    const event = report(
      base.replace(
        'Max Memory Used: 98 MB\t',
        'Max Memory Used: 98 MB\tStatus: error\tError Type: Runtime.ExitError\t',
      ),
    );
    expect(event.fields.event?.outcome).toBe('failure');
    expect(event.fields.error?.type).toBe('Runtime.ExitError');
  });
  it('Restore Duration (SnapStart) → cold start', () => {
    const event = report(
      base.replace(
        'Max Memory Used: 98 MB\t',
        'Max Memory Used: 98 MB\tRestore Duration: 312.45 ms\tBilled Restore Duration: 125 ms\t',
      ),
    );
    expect(event.fields.aws?.lambda?.restore_duration_ms).toBe(312.45);
    expect(event.fields.aws?.lambda?.billed_duration_ms).toBe(1800);
    expect(event.fields.faas?.coldstart).toBe(true);
  });
  it('space separated instead of tabs', () => {
    expect(report(base.replaceAll('\t', ' ')).fields.aws?.lambda).toMatchObject({
      duration_ms: 1711.87,
      billed_duration_ms: 1800,
      memory_size_mb: 128,
      max_memory_used_mb: 98,
    });
  });
  it('without the XRAY line', () => {
    const event = report(base.slice(0, base.indexOf('\nXRAY')));
    expect(event.fields.trace).toBeUndefined();
    expect(event.fields.aws?.lambda?.duration_ms).toBe(1711.87);
  });
});

describe('other Lambda lines', () => {
  const one = (line: string): ParsedEvent => parsed(parseLambdaLog(line, CTX));

  it('INIT_START runtime version', () => {
    const event = one(
      'INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0f1b\n',
    );
    expect(event.fields.aws?.lambda).toMatchObject({
      record_type: 'INIT_START',
      runtime_version: 'nodejs:20.v13',
    });
  });
  it('INIT_REPORT timeout', () => {
    const event = one('INIT_REPORT Init Duration: 10003.31 ms\tPhase: init\tStatus: timeout');
    expect(event.fields.event).toMatchObject({ outcome: 'failure', duration: 10003310000 });
  });
  it('platform.start JSON with tracing', () => {
    const event = one(
      JSON.stringify({
        time: '2024-01-01T00:00:00.000Z',
        type: 'platform.start',
        record: {
          requestId: 'r-1',
          version: '$LATEST',
          tracing: { spanId: 's', type: 'X-Amzn-Trace-Id', value: 'Root=1-65f-abc;Parent=def;Sampled=1' },
        },
      }),
    );
    expect(event.fields.faas).toMatchObject({ execution: 'r-1', version: '$LATEST' });
    expect(event.fields.trace?.id).toBe('1-65f-abc');
    expect(event.timestamp).toBe(Date.parse('2024-01-01T00:00:00.000Z'));
  });
  it('platform.runtimeDone error', () => {
    const event = one(
      JSON.stringify({
        time: '2024-01-01T00:00:00.000Z',
        type: 'platform.runtimeDone',
        record: {
          requestId: 'r-1',
          status: 'error',
          errorType: 'Runtime.Unknown',
          metrics: { durationMs: 12.5 },
        },
      }),
    );
    expect(event.fields.event).toMatchObject({ outcome: 'failure', duration: 12_500_000 });
    expect(event.fields.error?.type).toBe('Runtime.Unknown');
  });
  it('JSON application log format', () => {
    const event = one(
      JSON.stringify({
        timestamp: '2024-01-01T00:00:00.123Z',
        level: 'WARN',
        requestId: 'r-2',
        message: 'slow',
      }),
    );
    expect(event.fields).toMatchObject({
      message: 'slow',
      log: { level: 'warn' },
      faas: { execution: 'r-2' },
      aws: { lambda: { request_id: 'r-2' } },
    });
    expect(event.timestamp).toBe(Date.parse('2024-01-01T00:00:00.123Z'));
  });
  it('JSON application error', () => {
    const event = one(
      JSON.stringify({
        timestamp: '2024-01-01T00:00:00Z',
        level: 'ERROR',
        requestId: 'r',
        message: { errorType: 'TypeError', errorMessage: 'x is undefined' },
        errorType: 'TypeError',
        errorMessage: 'x is undefined',
      }),
    );
    expect(event.fields.error).toEqual({ type: 'TypeError', message: 'x is undefined' });
  });
  it('Node.js text line', () => {
    const event = one('2024-01-01T00:00:00.000Z\t0e5f0ad7-4d8a-4b4b-9b8e-3a0c2a2f3b5c\tINFO\thello\tworld\n');
    expect(event.fields).toMatchObject({
      message: 'hello\tworld',
      log: { level: 'info' },
      faas: { execution: '0e5f0ad7-4d8a-4b4b-9b8e-3a0c2a2f3b5c' },
    });
    expect(event.timestamp).toBe(Date.parse('2024-01-01T00:00:00.000Z'));
  });
  it('Node.js text line outside a handler', () => {
    expect(one('2024-01-01T00:00:00.000Z\tundefined\tERROR\tboom').fields.faas?.execution).toBeUndefined();
  });
  it('Python text line', () => {
    const event = one(
      '[WARNING]\t2024-01-01T00:00:00.000Z\t0e5f0ad7-4d8a-4b4b-9b8e-3a0c2a2f3b5c\tdisk low\n',
    );
    expect(event.fields).toMatchObject({ message: 'disk low', log: { level: 'warning' } });
  });
  it('anything else is just a message', () => {
    expect(one('hello').fields).toEqual({ faas: { name: 'my-function' }, message: 'hello' });
  });
  it('isLambdaPlatformLine', () => {
    expect(isLambdaPlatformLine('{"time":"x","type":"platform.report"}')).toBe(true);
    expect(isLambdaPlatformLine('{"time":"x","type":"function"}')).toBe(false);
    expect(isLambdaPlatformLine('STARTED RequestId')).toBe(false);
  });
});

describe('never throws', () => {
  const check = (result: ParseResult): void => expectResultOrFailure(result, 'aws.lambda');
  const seeds = CASES.map((c) => c.input);
  it('on arbitrary strings', () => {
    forAll(binaryStrings, 10_000, (s) => check(parseLambdaLog(s, CTX)));
  });
  it('on arbitrary JSON values, as text and pre-parsed', () => {
    forAllJson(fc.jsonValue(), 10_000, (text, v) => {
      check(parseLambdaLog(text, CTX));
      check(parseLambdaLog(text, CTX, v));
    });
  });
  it('on fixture lines with a slice replaced', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 20 }),
        (seed, a, b, insert) => {
          const start = a % (seed.length + 1);
          const end = start + (b % 10);
          const mutated = seed.slice(0, start) + insert + seed.slice(end);
          check(parseLambdaLog(mutated, CTX));
        },
      ),
      { numRuns: 10_000 },
    );
  });
  it('on platform records with mutated fields', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('platform.report', 'platform.start', 'platform.initReport', 'platform.runtimeDone'),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (type, body) => {
          const record = { time: '2024-01-01T00:00:00Z', type, record: body };
          check(parseLambdaLog(JSON.stringify(record), CTX, record));
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
