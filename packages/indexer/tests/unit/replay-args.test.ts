import { describe, expect, it } from 'vitest';
import { parseReplayArgs, UsageError } from '../../src/replay/args.ts';
import { BoundedQueue } from '../../src/replay/queue.ts';

const env = { OPENSEARCH_URL: 'https://admin:secret@search.example:9200/' };
const parse = (...argv: string[]) => parseReplayArgs(argv, env, '/work');

describe('parseReplayArgs', () => {
  it('builds the replay options from the command line', () => {
    const command = parse(
      '--bucket',
      'central-archive',
      '--prefix',
      'archive/',
      '--since',
      '2023-11-14',
      '--until',
      '2023-11-15T12:00:00Z',
      '--account',
      '111122223333,444455556666',
      '--account',
      '777788889999',
      '--dataset',
      'vpcflow',
      '--concurrency',
      '8',
      '--max-objects',
      '100',
      '--no-templates',
    );
    expect(command.options).toMatchObject({
      bucket: 'central-archive',
      prefix: 'archive/',
      dryRun: false,
      concurrency: 8,
      maxObjects: 100,
      indexPrefix: 'logs',
      templates: false,
      target: 'https://search.example:9200',
      filter: {
        since: Date.parse('2023-11-14T00:00:00Z'),
        until: Date.parse('2023-11-15T12:00:00Z'),
        accounts: new Set(['111122223333', '444455556666', '777788889999']),
        datasets: new Set(['aws.vpcflow']),
      },
    });
    // The checkpoint names no credentials, and its default path is derived from the arguments.
    expect(command.options.checkpoint?.path).toMatch(
      /^\/work\/\.replay-checkpoints\/central-archive-[0-9a-f]{16}\.json$/,
    );
    expect(command.opensearchUrl).toBe(env.OPENSEARCH_URL);
    expect(command.deadLetters).toEqual({ kind: 'dir', dir: '/work/replay-dead-letters' });
  });

  it('gives different replays different checkpoints, and honours --checkpoint', () => {
    const a = parse('--bucket', 'b', '--since', '2023-11-14').options.checkpoint?.path;
    const b = parse('--bucket', 'b', '--since', '2023-11-15').options.checkpoint?.path;
    expect(a).not.toBe(b);
    expect(parse('--bucket', 'b', '--checkpoint', 'cp.json', '--restart').options.checkpoint).toEqual({
      path: '/work/cp.json',
      restart: true,
    });
  });

  it('sends dead letters to S3 on request, never into the replayed prefix', () => {
    expect(parse('--bucket', 'b', '--prefix', 'archive/', '--dead-letter-bucket', 'b').deadLetters).toEqual({
      kind: 's3',
      bucket: 'b',
      prefix: 'dead-letter/replay/',
    });
    expect(() => parse('--bucket', 'b', '--dead-letter-bucket', 'b', '--dead-letter-prefix', 'x')).toThrow(
      /overlaps/,
    );
    expect(() => parse('--bucket', 'b', '--dead-letter-dir', 'd', '--dead-letter-bucket', 'c')).toThrow(
      /exclude/,
    );
  });

  it('needs OpenSearch only when it indexes', () => {
    expect(() => parseReplayArgs(['--bucket', 'b'], {}, '/')).toThrow(/OPENSEARCH_URL/);
    const dry = parseReplayArgs(['--bucket', 'b', '--dry-run'], { INDEX_PREFIX: 'audit' }, '/');
    expect(dry.options).toMatchObject({ dryRun: true, indexPrefix: 'audit' });
    expect(dry.opensearchUrl).toBeUndefined();
  });

  it('refuses bad usage with a clear message', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--bucket is required/],
      [['--bucket', 'b', '--bogus'], /Unknown option '--bogus'/],
      [['--bucket', 'b', 'positional'], /positional/],
      [['--bucket', 'b', '--since', '2023-11-15', '--until', '2023-11-14'], /must be before --until/],
      [['--bucket', 'b', '--account', '12'], /12-digit/],
      [['--bucket', 'b', '--dataset', 'syslog'], /--dataset must be one of/],
      [['--bucket', 'b', '--concurrency', '0'], /--concurrency must be an integer from 1 to 64/],
      [['--bucket', 'b', '--concurrency', '2x'], /--concurrency/],
      [['--bucket', 'b', '--index-prefix', 'Logs'], /--index-prefix/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parse(...argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parse(...argv), argv.join(' ')).toThrow(message);
    }
    expect(parse('--help').help).toBe(true);
  });
});

describe('BoundedQueue', () => {
  it('hands items over in order and makes the producer wait when full', async () => {
    const queue = new BoundedQueue<number>(2);
    expect(await queue.push(1)).toBe(true);
    expect(await queue.push(2)).toBe(true);
    let third = false;
    const pending = queue.push(3).then((ok) => (third = ok));
    await Promise.resolve();
    expect(third).toBe(false);
    expect(await queue.shift()).toBe(1);
    await pending;
    expect(third).toBe(true);
    queue.end();
    expect(await queue.shift()).toBe(2);
    expect(await queue.shift()).toBe(3);
    expect(await queue.shift()).toBeUndefined();
    expect(await queue.push(4)).toBe(false);
  });

  it('drops what is left when aborted, releasing waiting consumers and producers', async () => {
    const empty = new BoundedQueue<number>(1);
    const waiting = empty.shift();
    empty.abort();
    expect(await waiting).toBeUndefined();

    const full = new BoundedQueue<number>(1);
    await full.push(1);
    const blocked = full.push(2);
    expect(full.abort()).toBe(1);
    expect(await blocked).toBe(false);
  });
});
