// `pnpm bench` for the decoder: full Firehose transformation vs. the floor of base64 + gunzip +
// JSON.parse alone, on the same corpus, on one core. Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  createDecoder,
  DEFAULT_RESPONSE_LIMIT_BYTES,
  transformFirehoseEvent,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
} from '../src/index.ts';
import { buildCorpus, type Corpus } from './corpus.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const corpus = buildCorpus(Number(process.env.BENCH_INVOCATIONS ?? 40));

/** The floor: what any decoder must do before it can look at a single log event. */
function floor(c: Corpus): number {
  let events = 0;
  for (const invocation of c.invocations) {
    for (const record of invocation.records) {
      const message = JSON.parse(gunzipSync(Buffer.from(record.data, 'base64')).toString('utf8')) as { logEvents: unknown[] };
      events += message.logEvents.length;
    }
  }
  return events;
}

// The production artifact: the minified bundle's handler, configured as the Lambda would be. The
// response cap is lifted so every record does the full work; its effect is reported separately.
process.env.FIREHOSE_RESPONSE_LIMIT_BYTES = String(Number.MAX_SAFE_INTEGER);
process.env.LOG_LEVEL = 'warn';
if (process.env.BENCH_KEEP_ORIGINAL === 'false') process.env.DECODER_KEEP_ORIGINAL = 'false';
const bundlePath = fileURLToPath(new URL('../dist/lambda/firehose/index.mjs', import.meta.url));
const { handler } = (await import(bundlePath)) as {
  handler: (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResponse>;
};
const decoder = createDecoder();
let outputBytes = 0;
let outputRecords = 0;
async function full(c: Corpus): Promise<number> {
  outputBytes = 0;
  outputRecords = 0;
  for (const invocation of c.invocations) {
    const response = await handler(invocation);
    for (const record of response.records) {
      if (record.result !== 'Ok') throw new Error(`benchmark record ${record.recordId} was ${record.result}`);
      outputBytes += record.data.length;
      outputRecords++;
    }
  }
  return outputRecords;
}

/** Median seconds of `ROUNDS` runs after one warm-up (JIT, caches). */
async function time(run: (c: Corpus) => number | Promise<number>): Promise<{ seconds: number; count: number }> {
  const count = await run(corpus);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await run(corpus);
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  samples.sort((a, b) => a - b);
  return { seconds: samples[samples.length >> 1] ?? 0, count };
}

// Interleave so machine noise hits both alike.
const floorRun = await time(floor);
const fullRun = await time(full);
const floorRun2 = await time(floor);
const floorSeconds = Math.min(floorRun.seconds, floorRun2.seconds);

// At Lambda's real limit: how many records of these ≈5-record invocations would not fit.
let overLimit = 0;
let largestInvocationInputBytes = 0;
for (const invocation of corpus.invocations) {
  overLimit += transformFirehoseEvent(invocation, decoder).summary.failed;
  const input = invocation.records.reduce((n, r) => n + r.data.length, 0);
  largestInvocationInputBytes = Math.max(largestInvocationInputBytes, input);
}

const bundle = readFileSync(bundlePath);
const importTimes = Array.from({ length: 7 }, () =>
  Number(
    execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const t = performance.now(); await import(${JSON.stringify(bundlePath)}); console.log(performance.now() - t);`,
    ]).toString(),
  ),
).sort((a, b) => a - b);

const eventsPerSecond = corpus.events / fullRun.seconds;
const floorEventsPerSecond = corpus.events / floorSeconds;
const ratio = eventsPerSecond / floorEventsPerSecond;
const report = {
  benchmark: 'decoder.firehose-transform',
  corpus: {
    invocations: corpus.invocations.length,
    recordsPerInvocation: 5,
    events: corpus.events,
    outputRecords: fullRun.count,
    compressedMB: +(corpus.compressedBytes / 1e6).toFixed(2),
    uncompressedMB: +(corpus.uncompressedBytes / 1e6).toFixed(2),
    responseBase64MB: +(outputBytes / 1e6).toFixed(2),
    seed: 42,
  },
  full: {
    seconds: +fullRun.seconds.toFixed(4),
    eventsPerSecond: Math.round(eventsPerSecond),
    compressedMBps: +(corpus.compressedBytes / 1e6 / fullRun.seconds).toFixed(2),
    uncompressedMBps: +(corpus.uncompressedBytes / 1e6 / fullRun.seconds).toFixed(2),
  },
  floor: {
    what: 'base64 decode + gunzip + JSON.parse per record',
    seconds: +floorSeconds.toFixed(4),
    eventsPerSecond: Math.round(floorEventsPerSecond),
  },
  ratioToFloor: +ratio.toFixed(3),
  ratioRequired: 0.5,
  ratioMet: ratio >= 0.5,
  // Firehose buffers input bytes; this is how much the response grows per input byte (base64 both sides).
  responseExpansion: +(outputBytes / (corpus.compressedBytes * (4 / 3))).toFixed(2),
  atResponseLimit: {
    limitBytes: DEFAULT_RESPONSE_LIMIT_BYTES,
    recordsToErrorPrefix: overLimit,
    records: corpus.invocations.length * 5,
    largestInvocationInputKB: Math.round(largestInvocationInputBytes / 1024),
  },
  bundle: {
    path: 'packages/decoder/dist/lambda/firehose/index.mjs',
    minifiedKB: +(bundle.length / 1024).toFixed(1),
    gzipKB: +(gzipSync(bundle).length / 1024).toFixed(1),
    targetKB: 100,
    importMsMedian: +(importTimes[importTimes.length >> 1] ?? 0).toFixed(1),
    importMsTarget: 50,
  },
  node: process.version,
  singleCore: true,
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
