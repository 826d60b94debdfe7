// `pnpm bench` for the decoder: full Firehose transformation vs. the floor of base64 + gunzip +
// JSON.parse alone, on the same corpus, on one core. Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createDecoder, DEFAULT_RESPONSE_LIMIT_BYTES, transformFirehoseEvent } from '../src/index.ts';
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

const decoder = createDecoder({ keepOriginal: process.env.BENCH_KEEP_ORIGINAL !== 'false' });
let outputBytes = 0;
// Throughput is measured without the response cap, so every record does the full work; the cap's
// effect on this corpus is reported separately below.
function full(c: Corpus): number {
  let documents = 0;
  outputBytes = 0;
  for (const invocation of c.invocations) {
    const { response, summary } = transformFirehoseEvent(invocation, decoder, Number.POSITIVE_INFINITY);
    documents += summary.documents;
    for (const record of response.records) outputBytes += record.data.length;
    if (summary.failed > 0) throw new Error(`benchmark corpus failed to decode: ${JSON.stringify(summary.failures[0])}`);
  }
  return documents;
}

/** Median seconds of `ROUNDS` runs after one warm-up (JIT, caches). */
function time(run: (c: Corpus) => number): { seconds: number; count: number } {
  const count = run(corpus);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    run(corpus);
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  samples.sort((a, b) => a - b);
  return { seconds: samples[samples.length >> 1] ?? 0, count };
}

// Interleave so machine noise hits both alike.
const floorRun = time(floor);
const fullRun = time(full);
const floorRun2 = time(floor);
const floorSeconds = Math.min(floorRun.seconds, floorRun2.seconds);

// At Lambda's real limit: how many records of these ≈5-record invocations would not fit.
let overLimit = 0;
let largestInvocationInputBytes = 0;
for (const invocation of corpus.invocations) {
  overLimit += transformFirehoseEvent(invocation, decoder).summary.failed;
  const input = invocation.records.reduce((n, r) => n + r.data.length, 0);
  largestInvocationInputBytes = Math.max(largestInvocationInputBytes, input);
}

const bundlePath = fileURLToPath(new URL('../dist/lambda/firehose/index.mjs', import.meta.url));
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
    documents: fullRun.count,
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
statSync(bundlePath);
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
