import { describe, expect, it } from 'vitest';
import type { LogDocument } from '@central-logging/log-schema';
import {
  documentMatches,
  keyMayMatch,
  parseAccount,
  parseDataset,
  parseKey,
  parseTime,
  type ReplayFilter,
} from '../../src/replay/filter.ts';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

function doc(
  timestamp: string,
  owner = '111122223333',
  dataset: LogDocument['event']['dataset'] = 'aws.vpcflow',
): LogDocument {
  return {
    '@timestamp': timestamp,
    event: { id: '1', dataset },
    cloud: { account: { id: '999988887777' } },
    aws: { cloudwatch: { log_group: '/vpc/flow-logs', log_stream: 's', owner } },
  } as LogDocument;
}

describe('parseKey', () => {
  it('reads the partitions the decoder Lambda writes', () => {
    expect(
      parseKey(
        'archive/account=111122223333/dataset=aws.vpcflow/2023/11/14/central-1-2023-11-14-10-00-00-abc.json.gz',
      ),
    ).toEqual({
      account: '111122223333',
      day: day('2023-11-14'),
      lastDay: day('2023-11-14'),
      dayKind: 'partition',
    });
  });

  it('dates the error prefix and dead letters by arrival', () => {
    expect(parseKey('errors/processing-failed/2023/11/14/13/central-1-2023-11-14-13-00-00-x')).toEqual({
      day: day('2023-11-14'),
      lastDay: day('2023-11-14'),
      dayKind: 'arrival',
    });
    expect(parseKey('dead-letter/indexer/2024/02/29/shard-1-x.ndjson.gz')).toMatchObject({
      dayKind: 'arrival',
    });
  });

  it('narrows a year folder only as far as the segments after it are a month and a day', () => {
    const days = (first: string, last: string) => ({
      day: day(first),
      lastDay: day(last),
      dayKind: 'arrival',
    });
    expect(parseKey('archive/2023/02/30/x')).toEqual(days('2023-02-01', '2023-02-28'));
    expect(parseKey('archive/2024/02/29/x')).toEqual(days('2024-02-29', '2024-02-29'));
    expect(parseKey('archive/2023/11/x')).toEqual(days('2023-11-01', '2023-11-30'));
    expect(parseKey('archive/2023/13/01/x')).toEqual(days('2023-01-01', '2023-12-31'));
    expect(parseKey('archive/2023/x')).toEqual(days('2023-01-01', '2023-12-31'));
    // An object named like a year is not a folder; nothing else is a date.
    expect(parseKey('archive/2023')).toEqual({});
    expect(parseKey('archive/202/11/14/x')).toEqual({});
    expect(parseKey('notes.txt')).toEqual({});
  });
});

describe('keyMayMatch', () => {
  const filter: ReplayFilter = {
    since: Date.parse('2023-11-14T10:00:00Z'),
    until: Date.parse('2023-11-16T00:00:00Z'),
  };
  const partition = (d: string) => ({ day: day(d), dayKind: 'partition' as const });
  const arrival = (d: string) => ({ day: day(d), dayKind: 'arrival' as const });

  it('keeps partition days within one day of the range', () => {
    expect(keyMayMatch(partition('2023-11-12'), filter)).toBe(false);
    expect(keyMayMatch(partition('2023-11-13'), filter)).toBe(true);
    expect(keyMayMatch(partition('2023-11-15'), filter)).toBe(true);
    // until is exclusive: the last selected day is the 15th, so the 16th is the margin.
    expect(keyMayMatch(partition('2023-11-16'), filter)).toBe(true);
    expect(keyMayMatch(partition('2023-11-17'), filter)).toBe(false);
  });

  it('bounds arrival days only from below: late arrivals hold old events', () => {
    expect(keyMayMatch(arrival('2023-11-12'), filter)).toBe(false);
    expect(keyMayMatch(arrival('2023-11-13'), filter)).toBe(true);
    expect(keyMayMatch(arrival('2024-06-01'), filter)).toBe(true);
  });

  it('keeps a month or year folder when any day of it may match', () => {
    const month = (key: string) => keyMayMatch(parseKey(`archive/account=1/${key}/x`), filter);
    expect(month('2023/11')).toBe(true);
    expect(month('2023/10')).toBe(false);
    expect(month('2023/12')).toBe(false);
    expect(month('2023')).toBe(true);
    expect(month('2022')).toBe(false);
    expect(month('2024')).toBe(false);
    // The same months as arrival days: only `since` bounds them.
    expect(keyMayMatch(parseKey('errors/2024/x'), filter)).toBe(true);
    expect(keyMayMatch(parseKey('errors/2023/10/x'), filter)).toBe(false);
  });

  it('prunes on account segments, never on dataset ones, and reads keys without them', () => {
    const f: ReplayFilter = {
      accounts: new Set(['111122223333']),
      datasets: new Set(['aws.vpcflow'] as const),
    };
    const key = (account: string, dataset: string) =>
      parseKey(`archive/account=${account}/dataset=${dataset}/2023/11/14/central-1.gz`);
    expect(keyMayMatch(key('111122223333', 'aws.vpcflow'), f)).toBe(true);
    expect(keyMayMatch(key('444455556666', 'aws.vpcflow'), f)).toBe(false);
    // A flow-log payload whose first line did not parse is filed under its first document's
    // dataset, flow records and all.
    expect(keyMayMatch(key('111122223333', 'aws.cloudwatch_logs'), f)).toBe(true);
    expect(keyMayMatch(parseKey('dataset=aws.cloudwatch_logs'), f)).toBe(true);
    expect(keyMayMatch({}, f)).toBe(true);
  });
});

describe('documentMatches', () => {
  it('takes since inclusive and until exclusive', () => {
    const filter: ReplayFilter = {
      since: Date.parse('2023-11-14T00:00:00Z'),
      until: Date.parse('2023-11-15T00:00:00Z'),
    };
    expect(documentMatches(doc('2023-11-13T23:59:59.999Z'), filter)).toBe(false);
    expect(documentMatches(doc('2023-11-14T00:00:00.000Z'), filter)).toBe(true);
    expect(documentMatches(doc('2023-11-14T23:59:59.999Z'), filter)).toBe(true);
    expect(documentMatches(doc('2023-11-15T00:00:00.000Z'), filter)).toBe(false);
    expect(documentMatches(doc('not a time'), filter)).toBe(false);
    expect(documentMatches(doc('not a time'), {})).toBe(true);
  });

  it('selects by the CloudWatch Logs owner, not cloud.account.id', () => {
    expect(
      documentMatches(doc('2023-11-14T00:00:00Z', '111122223333'), { accounts: new Set(['111122223333']) }),
    ).toBe(true);
    // The document's cloud.account.id (999988887777) is what the record claims, not who sent it.
    expect(
      documentMatches(doc('2023-11-14T00:00:00Z', '111122223333'), { accounts: new Set(['999988887777']) }),
    ).toBe(false);
  });

  it('selects by dataset', () => {
    expect(
      documentMatches(doc('2023-11-14T00:00:00Z', '1', 'aws.lambda'), {
        datasets: new Set(['aws.lambda'] as const),
      }),
    ).toBe(true);
    expect(
      documentMatches(doc('2023-11-14T00:00:00Z', '1', 'aws.lambda'), {
        datasets: new Set(['aws.vpcflow'] as const),
      }),
    ).toBe(false);
  });
});

describe('argument values', () => {
  it('parses dates as UTC midnight and date-times only with a zone', () => {
    expect(parseTime('2023-11-14', '--since')).toBe(day('2023-11-14'));
    expect(parseTime('2023-11-14T10:00:00+01:00', '--since')).toBe(Date.parse('2023-11-14T09:00:00Z'));
    expect(() => parseTime('2023-11-14T10:00', '--since')).toThrow(/--since must be a date/);
    expect(() => parseTime('2023-02-30', '--until')).toThrow(/--until/);
    expect(() => parseTime('yesterday', '--until')).toThrow(RangeError);
  });

  it('checks accounts and expands short dataset names', () => {
    expect(parseAccount('111122223333')).toBe('111122223333');
    expect(() => parseAccount('1111')).toThrow(/12-digit/);
    expect(parseDataset('vpcflow')).toBe('aws.vpcflow');
    expect(parseDataset('aws.route53_resolver')).toBe('aws.route53_resolver');
    expect(() => parseDataset('syslog')).toThrow(/must be one of/);
  });
});
