import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isContainerRecord, parseContainerLog } from '../../../src/parse/container.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseResult } from '../../../src/parse/types.ts';
import { binaryStrings, forAll, forAllJson } from '../../support/never-throws.ts';

// No third-party container fixture with expected output exists; the records below follow the
// documented shapes:
// - Docker json-file: {"log","stream","time"} (https://docs.docker.com/engine/logging/drivers/json-file/)
// - Fluent Bit kubernetes filter metadata as Container Insights ships it to
//   /aws/containerinsights/<cluster>/application
//   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-setup-logs-FluentBit.html,
//   https://docs.fluentbit.io/manual/pipeline/filters/kubernetes)
// - ECS FireLens record fields (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html)
const EKS_CTX: ParseContext = {
  logGroup: '/aws/containerinsights/prod-eks/application',
  logStream: 'web-7d4b9c-xk2lp_shop_nginx-0a1b',
  owner: '123456789012',
};
const ECS_CTX: ParseContext = { logGroup: '/ecs/web', logStream: 'firelens/web/5a1e', owner: '123456789012' };

const NGINX_LINE =
  '10.1.2.3 - - [18/Oct/2024:19:38:39 +0000] "GET /api/cart?id=7 HTTP/1.1" 200 512 "-" "curl/8.4.0" rt=0.042';
const EKS_RECORD = {
  log: `${NGINX_LINE}\n`,
  stream: 'stdout',
  time: '2024-10-18T19:38:39.661538911Z',
  kubernetes: {
    pod_name: 'web-7d4b9c-xk2lp',
    namespace_name: 'shop',
    pod_id: '5b0e1c47-7c3f-4c58-9a39-2d7c9a5e1f10',
    host: 'ip-10-0-1-23.ec2.internal',
    container_name: 'nginx',
    docker_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
    container_hash: 'nginx@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac',
    container_image: 'public.ecr.aws/nginx/nginx:1.25',
    labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
  },
};
const FIRELENS_RECORD = {
  source: 'stderr',
  log: '{"level":"error","msg":"payment declined","order":7}',
  container_id: 'e0b9a1f2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0',
  container_name: '/ecs-web-3-app-e4c1b0a9f8d7c6b5a401',
  ecs_cluster: 'prod',
  ecs_task_arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/5a1e7c0b3f2d4e6a8b9c0d1e2f3a4b5c',
  ecs_task_definition: 'web:3',
};

function parsed(result: ParseResult): ParsedEvent {
  if (isParseFailure(result)) throw new Error(`unexpected failure: ${result.failure}`);
  return result;
}
const parseRecord = (record: object, ctx = EKS_CTX): ParsedEvent =>
  parsed(parseContainerLog(JSON.stringify(record), ctx, record));

describe('Fluent Bit on EKS', () => {
  const event = parseRecord(EKS_RECORD);
  it('maps kubernetes metadata to ECS orchestrator/container/host', () => {
    expect(event.fields.orchestrator).toEqual({
      type: 'kubernetes',
      namespace: 'shop',
      resource: { type: 'pod', name: EKS_RECORD.kubernetes.pod_name, id: EKS_RECORD.kubernetes.pod_id },
      cluster: { name: 'prod-eks' },
    });
    expect(event.fields.container).toEqual({
      id: EKS_RECORD.kubernetes.docker_id,
      name: 'nginx',
      image: { name: 'public.ecr.aws/nginx/nginx', tag: ['1.25'] },
    });
    expect(event.fields.host).toEqual({ name: EKS_RECORD.kubernetes.host });
    expect(event.fields.aws?.container?.kubernetes?.labels).toEqual(EKS_RECORD.kubernetes.labels);
  });
  it('takes the record time and stream, and trims the newline', () => {
    expect(event.timestamp).toBe(Date.parse(EKS_RECORD.time));
    expect(event.fields.aws?.container).toMatchObject({ stream: 'stdout', time: EKS_RECORD.time });
    expect(event.fields.message).toBe(NGINX_LINE);
  });
  it('reads the access line', () => {
    expect(event.fields.http).toMatchObject({
      request: { method: 'GET' },
      response: { status_code: 200, bytes: 512 },
    });
    expect(event.fields.url).toMatchObject({ path: '/api/cart', query: 'id=7' });
    expect(event.fields.event).toMatchObject({ outcome: 'success', duration: 42_000_000 });
    expect(event.fields.aws?.container).toMatchObject({
      access_log_format: 'nginx_combined',
      response_time_ms: 42,
    });
    expect(event.fields.user_agent?.original).toBe('curl/8.4.0');
  });
  it('marks a 5xx response as failure', () => {
    expect(
      parseRecord({ ...EKS_RECORD, log: NGINX_LINE.replace('" 200 ', '" 502 ') }).fields.event?.outcome,
    ).toBe('failure');
  });
  it('reads a JSON application line', () => {
    const e = parseRecord({ ...EKS_RECORD, log: '{"level":"WARN","msg":"retrying","attempt":2}\n' });
    expect(e.fields.log?.level).toBe('warn');
    expect(e.fields.message).toBe('retrying');
  });
  it('reads pino numeric levels', () => {
    expect(parseRecord({ ...EKS_RECORD, log: '{"level":50,"msg":"boom"}' }).fields.log?.level).toBe('error');
  });
  it('keeps an image without tag, and a digest, whole', () => {
    const image = (ref: string): unknown =>
      parseRecord({ ...EKS_RECORD, kubernetes: { ...EKS_RECORD.kubernetes, container_image: ref } }).fields
        .container?.image;
    expect(image('registry:5000/app')).toEqual({ name: 'registry:5000/app' });
    expect(image('app@sha256:abc')).toEqual({ name: 'app@sha256:abc' });
  });
  it('parses the same when the caller did not pre-parse the JSON', () => {
    expect(parseContainerLog(JSON.stringify(EKS_RECORD), EKS_CTX)).toEqual(event);
  });
});

describe('ECS FireLens', () => {
  const event = parseRecord(FIRELENS_RECORD, ECS_CTX);
  it('maps the ECS metadata', () => {
    expect(event.fields.orchestrator).toEqual({
      type: 'ecs',
      cluster: { name: 'prod' },
      resource: { type: 'task', id: FIRELENS_RECORD.ecs_task_arn },
    });
    expect(event.fields.container).toEqual({
      id: FIRELENS_RECORD.container_id,
      name: 'ecs-web-3-app-e4c1b0a9f8d7c6b5a401',
    });
    expect(event.fields.aws?.container).toMatchObject({
      stream: 'stderr',
      ecs: { cluster: 'prod', task_arn: FIRELENS_RECORD.ecs_task_arn, task_definition: 'web:3' },
    });
  });
  it('reads level and message from the JSON log', () => {
    expect(event.fields.log?.level).toBe('error');
    expect(event.fields.message).toBe('payment declined');
  });
});

describe('Docker json-file and plain lines', () => {
  it('Docker record', () => {
    const e = parseRecord(
      { log: 'started\n', stream: 'stderr', time: '2024-01-01T00:00:00.123456789Z' },
      ECS_CTX,
    );
    expect(e.fields).toEqual({
      message: 'started',
      aws: { container: { stream: 'stderr', time: '2024-01-01T00:00:00.123456789Z' } },
    });
    expect(e.timestamp).toBe(Date.parse('2024-01-01T00:00:00.123Z'));
  });
  it('plain uWSGI line from the awslogs driver', () => {
    const line =
      '[pid: 1|app: 0|req: 1/1] 10.0.0.1 () {34 vars in 617 bytes} [Thu Jan  1 00:00:00 2024] GET /health => generated 2 bytes in 3 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on core 0)';
    const e = parsed(parseContainerLog(line, ECS_CTX));
    expect(e.fields.url?.path).toBe('/health');
    expect(e.fields.aws?.container).toEqual({ access_log_format: 'uwsgi', response_time_ms: 3 });
    expect(e.fields.event?.duration).toBe(3_000_000);
  });
  it('plain application JSON line', () => {
    const e = parsed(parseContainerLog('{"severity":"INFO","message":"ready"}', ECS_CTX));
    expect(e.fields).toEqual({ message: 'ready', log: { level: 'info' } });
  });
  it('plain text', () => {
    expect(parsed(parseContainerLog('listening on :8080\n', ECS_CTX)).fields).toEqual({
      message: 'listening on :8080',
    });
  });
  it('isContainerRecord', () => {
    expect(isContainerRecord(EKS_RECORD)).toBe(true);
    expect(isContainerRecord(FIRELENS_RECORD)).toBe(true);
    for (const other of [null, 'log', [], { log: 'x' }, { log: 1, stream: 'stdout' }, { query_name: 'a.' }])
      expect(isContainerRecord(other)).toBe(false);
  });
});

describe('never throws', () => {
  const check = (result: ParseResult): void => {
    expect(isParseFailure(result)).toBe(false);
    if (!isParseFailure(result)) expect(result.dataset).toBe('aws.container');
  };
  it('on arbitrary strings', () => {
    forAll(binaryStrings, 10_000, (s) => check(parseContainerLog(s, EKS_CTX)));
  });
  it('on arbitrary JSON values, as text and pre-parsed', () => {
    forAllJson(fc.jsonValue(), 10_000, (text, v) => {
      check(parseContainerLog(text, EKS_CTX));
      check(parseContainerLog(text, EKS_CTX, v));
    });
  });
  it('on shipper records with a mutated field', () => {
    const keys = [...Object.keys(EKS_RECORD), ...Object.keys(FIRELENS_RECORD)];
    fc.assert(
      fc.property(
        fc.constantFrom<object>(EKS_RECORD, FIRELENS_RECORD),
        fc.constantFrom(...keys),
        fc.jsonValue(),
        (base, key, value) => {
          const record = { ...base, [key]: value };
          check(parseContainerLog(JSON.stringify(record), ECS_CTX, record));
        },
      ),
      { numRuns: 10_000 },
    );
  });
  it('on mutated access lines inside a record', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string({ maxLength: 10 }), (at, insert) => {
        const start = at % (NGINX_LINE.length + 1);
        const record = {
          ...EKS_RECORD,
          log: NGINX_LINE.slice(0, start) + insert + NGINX_LINE.slice(start + 1),
        };
        check(parseContainerLog(JSON.stringify(record), EKS_CTX, record));
      }),
      { numRuns: 10_000 },
    );
  });
});
