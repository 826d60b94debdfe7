// `pnpm bench` for alerts: the whole built-in rule pack over the decoder's benchmark corpus, with
// the decode cost per event measured in the same run, and memory with 1,000,000 distinct
// group-by keys. Prints one JSON object.
import { fileURLToPath } from 'node:url';
import { createDecoder } from '@central-logging/decoder';
import { buildCorpus } from '@central-logging/decoder/bench-corpus';
import type { LogDocument } from '@central-logging/log-schema';
import { RuleEngine } from '../src/engine.ts';
import { loadAlertConfig } from '../src/rules/load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const { rules } = loadAlertConfig({ ruleDirs: [fileURLToPath(new URL('../rules/', import.meta.url))] });
const engine = new RuleEngine(rules);
const decoder = createDecoder();
const corpus = buildCorpus(Number(process.env.BENCH_INVOCATIONS ?? 40));
const payloads = corpus.invocations.flatMap((i) => i.records.map((r) => r.data));

// As the Lambda runs: each Kinesis record is decoded and its documents go straight to the
// engine, while they are hot in cache. Both costs are timed per record, in the same loop.
function round(): { decode: number; alerts: number; events: number; matches: number } {
  let decode = 0n;
  let alerts = 0n;
  let events = 0;
  let matches = 0;
  for (const data of payloads) {
    const t0 = process.hrtime.bigint();
    const result = decoder.decodeData(data);
    const t1 = process.hrtime.bigint();
    if (result.kind !== 'data') continue;
    matches += engine.evaluate(result.documents).matches;
    const t2 = process.hrtime.bigint();
    decode += t1 - t0;
    alerts += t2 - t1;
    events += result.documents.length;
  }
  return { decode: Number(decode) / 1e9, alerts: Number(alerts) / 1e9, events, matches };
}
round(); // warm-up (JIT)
const rounds = Array.from({ length: ROUNDS }, round);
const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? 0;
const decode = { seconds: median(rounds.map((r) => r.decode)) };
const alerts = { seconds: median(rounds.map((r) => r.alerts)) };
const ratios = rounds.map((r) => r.alerts / r.decode);
const events = rounds[0]?.events ?? 0;
const matches = rounds[0]?.matches ?? 0;

// Memory: 1,000,000 distinct sources, each rejected 3 times (under the burst threshold, so every
// key stays an open window), in Kinesis-sized batches of 5,000 events.
const KEYS = 1_000_000;
const BATCH = 5_000;
function rejectedFlow(n: number, repeat: number): LogDocument {
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return {
    '@timestamp': new Date(1_700_000_000_000 + n).toISOString(),
    event: { id: `${n}-${repeat}`, dataset: 'aws.vpcflow', action: 'REJECT' },
    cloud: { provider: 'aws', account: { id: '111122223333' } },
    source: { ip, address: ip, port: 40000 + repeat },
    destination: { ip: '10.1.0.1', port: 22 },
    aws: { cloudwatch: { log_group: '/vpc/flow-logs', log_stream: 's', owner: '111122223333' } },
  } as LogDocument;
}
global.gc?.();
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
let peakWindowsPerBatch = 0;
const memoryStart = process.hrtime.bigint();
for (let start = 0; start < KEYS * 3; start += BATCH) {
  const batch: LogDocument[] = [];
  for (let i = start; i < Math.min(start + BATCH, KEYS * 3); i++)
    batch.push(rejectedFlow(i % KEYS, Math.floor(i / KEYS)));
  const findings = engine.evaluate(batch);
  peakWindowsPerBatch = Math.max(peakWindowsPerBatch, findings.windows.length);
  if ((start / BATCH) % 20 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const memorySeconds = Number(process.hrtime.bigint() - memoryStart) / 1e9;

const ratio = median(ratios);
process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'alerts.rule-pack',
      rules: rules.length,
      corpus: { records: payloads.length, events, seed: 42 },
      decode: {
        seconds: +decode.seconds.toFixed(4),
        microsecondsPerEvent: +((decode.seconds / events) * 1e6).toFixed(3),
      },
      alerts: {
        what: "RuleEngine.evaluate of each Kinesis record's documents right after they are decoded (DynamoDB round trips are per window/alert, not per event, and not timed here)",
        seconds: +alerts.seconds.toFixed(4),
        eventsPerSecond: Math.round(events / alerts.seconds),
        microsecondsPerEvent: +((alerts.seconds / events) * 1e6).toFixed(3),
        ruleMatches: matches,
      },
      ratioAlertsToDecode: +ratio.toFixed(4),
      ratioSpread: [+Math.min(...ratios).toFixed(4), +Math.max(...ratios).toFixed(4)],
      ratioTarget: 0.1,
      ratioMet: ratio <= 0.1,
      memory: {
        distinctGroupKeys: KEYS,
        events: KEYS * 3,
        batchSize: BATCH,
        seconds: +memorySeconds.toFixed(2),
        rssBeforeMB: +(rssBefore / 1e6).toFixed(1),
        peakRssMB: +(peakRss / 1e6).toFixed(1),
        peakWindowsHeldInMemory: peakWindowsPerBatch,
        evictionRule:
          'window tallies live in memory for one batch only (at most one entry per distinct key in the batch), then in DynamoDB as a set of at most `count` ids with TTL = window end + 1 day; new-value memory is DynamoDB items with TTL = `remember`; nothing in the process grows with the number of keys',
      },
      node: process.version,
    },
    null,
    2,
  ) + '\n',
);
