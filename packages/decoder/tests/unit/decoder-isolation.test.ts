// A parser that throws (a bug, or input past a limit nobody foresaw) must cost its event the
// parsing, never the payload or the batch. The Lambda parser is made to throw here on purpose.
import { describe, expect, it, vi } from 'vitest';
import { createDecoder, transformFirehoseEvent } from '../../src/index.ts';
import type * as Lambda from '../../src/parse/lambda.ts';
import { dataMessage, encodePayload, firehoseEvent } from '../support/payloads.ts';

vi.mock('../../src/parse/lambda.ts', async (importOriginal) => {
  const original = await importOriginal<typeof Lambda>();
  return {
    ...original,
    parseLambdaLog: (...args: Parameters<typeof original.parseLambdaLog>) => {
      if (args[0] === 'boom') throw new RangeError('Maximum call stack size exceeded');
      return original.parseLambdaLog(...args);
    },
  };
});

const decoder = createDecoder();
const messages = ['START RequestId: 1 Version: $LATEST', 'boom', 'END RequestId: 1'];

describe('an event whose parser throws', () => {
  it('becomes a document tagged parse_failure with its message; the other events are unaffected', () => {
    const { documents, stats } = decoder.decodeEvents(dataMessage('/aws/lambda/orders', messages));
    expect(stats).toMatchObject({ events: 3, documents: 3, parseFailures: 1 });
    expect(documents.map((d) => d.event.dataset)).toEqual([
      'aws.lambda',
      'aws.cloudwatch_logs',
      'aws.lambda',
    ]);
    expect(documents[1]).toMatchObject({
      message: 'boom',
      tags: ['parse_failure'],
      error: { type: 'parse_failure', message: 'lambda: Maximum call stack size exceeded' },
    });
  });

  it('leaves its Firehose record Ok', () => {
    const event = firehoseEvent([encodePayload(dataMessage('/aws/lambda/orders', messages))]);
    const { response, summary } = transformFirehoseEvent(event, decoder);
    expect(response.records.map((r) => r.result)).toEqual(['Ok']);
    expect(summary).toMatchObject({ ok: 1, documents: 3 });
  });
});
