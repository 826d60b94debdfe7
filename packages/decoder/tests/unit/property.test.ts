// The public API never throws and never hangs, whatever bytes arrive: ≥ 10,000 generated and
// mutated inputs per entry point (fast-check), built from real payloads so mutations go deep.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDecoder, decodeInput, transformFirehoseEvent, type PayloadResult } from '../../src/index.ts';
import { dataMessage, fixtureText } from '../support/payloads.ts';

const decoder = createDecoder({ maxDecompressedBytes: 4 * 1024 * 1024 });
const RUNS = 10_000;

const realMessages = [
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  'REPORT RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c\tDuration: 0.62 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 51 MB',
  ...fixtureText('cloudtrail/integrations_test-console-login-json.log').split('\n').filter(Boolean),
];
const groups = [
  '/vpc/flow-logs',
  '/aws/lambda/f',
  'cloudtrail',
  '/aws/events/guardduty',
  '/aws/route53/q',
  '/aws/containerinsights/c/application',
  'x',
];

function assertValid(result: PayloadResult): void {
  expect(['data', 'control', 'error']).toContain(result.kind);
  if (result.kind === 'data') {
    for (const document of result.documents) {
      expect(typeof document.event.id).toBe('string');
      expect(Number.isNaN(Date.parse(document['@timestamp']))).toBe(false);
    }
  }
}

/** A message with random edits: characters replaced, inserted, cut. */
const mutated = fc
  .tuple(
    fc.constantFrom(...realMessages),
    fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 4 })), { maxLength: 6 }),
    fc.boolean(),
  )
  .map(([message, edits, cut]) => {
    let text = message;
    for (const [at, insert] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + 1);
    }
    return cut ? text.slice(0, text.length >> 1) : text;
  });

describe('the public API never throws', () => {
  it('decodeEvents over mutated real messages in every log-group family', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...groups),
        fc.array(fc.oneof(mutated, fc.string(), fc.json()), { minLength: 1, maxLength: 5 }),
        (group, messages) => {
          const { documents, stats } = decoder.decodeEvents(dataMessage(group, messages));
          expect(stats.documents).toBe(documents.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('decodeData over random strings, random bytes and corrupted real payloads', () => {
    const payload = gzipSync(JSON.stringify(dataMessage('/vpc/flow-logs', realMessages.slice(0, 2))));
    const corrupted = fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((edits) => {
        const bytes = Buffer.from(payload);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes;
      });
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.base64String(), fc.uint8Array({ maxLength: 512 }), corrupted),
        (input) => {
          assertValid(decoder.decodeData(input));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('decodeMessage over arbitrary JSON values and broken messages', () => {
    const base = dataMessage('/aws/lambda/f', realMessages);
    const broken = fc
      .tuple(fc.constantFrom(...Object.keys(base)), fc.jsonValue())
      .map(([key, value]) => ({ ...base, [key]: value }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), broken), (value) => {
        assertValid(decoder.decodeMessage(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('decodeInput and transformFirehoseEvent over anything', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 256 })), (input) => {
        const bytes = typeof input === 'string' ? Buffer.from(input) : input;
        for (const item of decodeInput(bytes, decoder))
          expect(['payload', 'document', 'error']).toContain(item.kind);
        const { response, summary } = transformFirehoseEvent(
          {
            invocationId: 'i',
            deliveryStreamArn: 'a',
            records: [{ recordId: 'r', data: Buffer.from(bytes).toString('base64') }],
          },
          decoder,
        );
        expect(response.records).toHaveLength(1);
        expect(summary.ok + summary.dropped + summary.failed).toBe(1);
      }),
      { numRuns: RUNS },
    );
  });
});
