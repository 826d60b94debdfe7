import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { LogDocument } from '@central-logging/log-schema';
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/engine.ts';
import { loadAlertConfig, parseRuleFile } from '../../src/rules/load.ts';
import { compilePredicate } from '../../src/rules/predicate.ts';
import { RuleConfigError, type Predicate } from '../../src/rules/schema.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RuleConfigError);
    return (error as RuleConfigError).problems.map(
      (p) => `${p.file.split('/').pop()}|${p.ruleId ?? ''}|${p.field}|${p.message}`,
    );
  }
  throw new Error('expected the configuration to be refused');
}

describe('rule files are validated at load, with file, rule id and field', () => {
  it('reports every problem of a malformed rule, not just the first', () => {
    const dir = dirWith({
      'bad.yaml': `
id: burst-of-something
title: Burst
severity: urgent
kind: threshold
datasets: [aws.vpcflow, aws.s3]
where:
  all:
    - field: source.ip
      cidr: [10.0.0.0/33]
    - field: message
      matches: '(unclosed'
    - field: event.action
groupBy: []
window: 30m
count: 0
colour: red
`,
    });
    expect(problemsOf(() => loadAlertConfig({ ruleDirs: [dir] }))).toEqual([
      'bad.yaml|burst-of-something|colour|unknown property',
      'bad.yaml|burst-of-something|severity|must be one of low, medium, high, critical',
      'bad.yaml|burst-of-something|datasets[1]|unknown dataset "aws.s3"',
      'bad.yaml|burst-of-something|where.all[0].cidr[0]|not a CIDR block: "10.0.0.0/33"',
      expect.stringMatching(
        /^bad\.yaml\|burst-of-something\|where\.all\[1\]\.matches\|invalid regular expression/,
      ),
      expect.stringMatching(/^bad\.yaml\|burst-of-something\|where\.all\[2\]\|needs an operator/),
      'bad.yaml|burst-of-something|groupBy|must be a list of field names',
      'bad.yaml|burst-of-something|window|must be at most 15m',
      'bad.yaml|burst-of-something|count|must be an integer from 1 to 10000',
    ]);
  });

  it('reports YAML syntax errors with their line, and duplicate ids across files', () => {
    const rule = (id: string) => `id: ${id}\ntitle: T\nseverity: low\nkind: match\ndatasets: [aws.lambda]\n`;
    const dir = dirWith({
      'a.yaml': rule('same-id'),
      'b.yml': rule('same-id'),
      'c.yaml': 'id: x\n  title: [unclosed\n',
    });
    const problems = problemsOf(() => loadAlertConfig({ ruleDirs: [dir] }));
    expect(problems).toContainEqual('b.yml|same-id|id|duplicate rule id (also in a.yaml)');
    expect(problems).toContainEqual(
      'c.yaml||line 1, column 5|Nested mappings are not allowed in compact mappings',
    );
  });

  it('checks the tenants file against the rules: unknown rule, wrong override, a webhook URL in plain text', () => {
    const dir = dirWith({
      'r.yaml': 'id: root-login\ntitle: Root\nseverity: high\nkind: match\ndatasets: [aws.cloudtrail]\n',
      'm.yaml':
        'id: slow\ntitle: Slow\nseverity: low\nkind: metric\ndatasets: [aws.container]\nfield: event.duration\nabove: 1\nwindow: 5m\n',
    });
    const tenantsFile = join(dirWith({}), 'tenants.yaml');
    writeFileSync(
      tenantsFile,
      `
tenants:
  - id: payments
    accounts: ['222233334444', 12345]
    destinations:
      slackWebhook: https://hooks.slack.com/services/T000/B000/XXXX
    overrides:
      root-login: { count: 3 }
      no-such-rule: { enabled: false }
      slow: { window: 100000d }
`,
    );
    expect(problemsOf(() => loadAlertConfig({ ruleDirs: [dir], tenantsFile }))).toEqual([
      'tenants.yaml||tenants[0].accounts|must be a list of 12-digit account ids (quote them in YAML)',
      'tenants.yaml||tenants[0].destinations.slackWebhook|must reference a Secrets Manager secret ARN or an SSM parameter (ssm:/name), never the URL itself',
      'tenants.yaml||tenants[0].overrides.root-login.count|only threshold rules have a count (root-login is match)',
      'tenants.yaml||tenants[0].overrides.no-such-rule|no rule has this id',
      'tenants.yaml||tenants[0].overrides.slow.window|must be at most 7d',
    ]);
  });

  it('accepts a file of several rules and JSON files', () => {
    const json = JSON.stringify({
      id: 'json-rule',
      title: 'J',
      severity: 'low',
      kind: 'match',
      datasets: ['aws.lambda'],
    });
    expect(parseRuleFile('x.json', json)).toMatchObject({ rules: [{ id: 'json-rule' }], problems: [] });
  });
});

describe('predicates', () => {
  const test = (p: Predicate, d: unknown) => compilePredicate(p)(d);

  it('compare every value of a field, through arrays', () => {
    const d = { a: { items: [{ cidr: '10.1.0.0/16' }, { cidr: '0.0.0.0/0' }] } };
    expect(test({ field: 'a.items.cidr', in: ['0.0.0.0/0'] }, d)).toBe(true);
    expect(test({ field: 'a.items.cidr', cidr: ['10.0.0.0/8'] }, d)).toBe(true);
    expect(test({ field: 'a.items.cidr', cidr: ['192.168.0.0/16'] }, d)).toBe(false);
  });

  it('handle CIDRs of both families, case, existence and numbers written as text', () => {
    expect(test({ field: 'ip', cidr: ['2001:db8::/32'] }, { ip: '2001:db8:0:1::5' })).toBe(true);
    expect(test({ field: 'ip', cidr: ['2001:db8::/32'] }, { ip: '10.0.0.1' })).toBe(false);
    expect(test({ field: 'ip', cidr: ['::/0'] }, { ip: '::ffff:10.0.0.1' })).toBe(true);
    expect(test({ field: 'user', equals: 'ROOT', ignoreCase: true }, { user: 'root' })).toBe(true);
    expect(test({ field: 'user', equals: 'ROOT' }, { user: 'root' })).toBe(false);
    const timedOut = { message: 'Task timed out after 3.00 seconds' };
    expect(test({ field: 'message', matches: 'Task timed out', ignoreCase: true }, timedOut)).toBe(true);
    expect(test({ field: 'message', matches: 'TASK TIMED', ignoreCase: true }, timedOut)).toBe(true);
    expect(test({ field: 'message', matches: 'TASK TIMED' }, timedOut)).toBe(false);
    expect(test({ field: 'x', exists: false }, {})).toBe(true);
    expect(test({ field: 'x', exists: false }, { x: 0 })).toBe(false);
    expect(test({ field: 'n', gte: 500 }, { n: '503' })).toBe(true);
    expect(test({ field: 'n', gte: 500 }, { n: 'n/a' })).toBe(false);
    expect(test({ not: { field: 'n', lt: 10 } }, {})).toBe(true);
  });
});

describe('documents missing what a rule reads', () => {
  const { rules } = loadAlertConfig({ ruleDirs: [fileURLToPath(new URL('../../rules/', import.meta.url))] });
  const engine = new RuleEngine(rules);
  const datasets = [...new Set(rules.flatMap((r) => r.datasets))];

  it('do not match and do not throw', () => {
    const bare = datasets.map(
      (dataset) =>
        ({
          '@timestamp': '2023-11-14T22:13:20.000Z',
          event: { id: `bare-${dataset}`, dataset },
          cloud: { provider: 'aws' },
          aws: {},
        }) as unknown as LogDocument,
    );
    const findings = engine.evaluate(bare);
    expect(findings.alerts).toEqual([]);
    expect(findings.windows).toEqual([]);
  });

  it('whatever their shape (property: 20,000 generated documents)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const doc = fc.record({
      '@timestamp': fc.oneof(fc.constant('2023-11-14T22:13:20.000Z'), fc.string()),
      event: fc.record({
        id: fc.string(),
        dataset: fc.constantFrom(...datasets),
        action: value,
        outcome: value,
        severity: value,
      }),
      source: fc.oneof(fc.record({ ip: value }), value),
      http: fc.oneof(fc.record({ response: fc.record({ status_code: value }) }), value),
      aws: fc.oneof(
        fc.anything(),
        fc.record({ cloudtrail: fc.anything(), container: fc.anything(), cloudwatch: fc.anything() }),
      ),
      message: value,
    });
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 20 }), (documents) => {
        engine.evaluate(documents as unknown as LogDocument[]);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('epochMillis', () => {
  it('reads the decoder’s timestamps exactly as Date.parse does, and falls back for anything else', async () => {
    const { epochMillis } = await import('../../src/engine.ts');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString();
          expect(epochMillis(iso)).toBe(Date.parse(iso));
        },
      ),
      { numRuns: 10_000 },
    );
    // Runs of timestamps within one minute, as a batch has.
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        fc.array(fc.integer({ min: 0, max: 59_999 }), { minLength: 1, maxLength: 20 }),
        (d, offsets) => {
          const minute = d.getTime() - (d.getTime() % 60_000);
          for (const offset of offsets) {
            const iso = new Date(minute + offset).toISOString();
            expect(epochMillis(iso)).toBe(Date.parse(iso));
          }
        },
      ),
      { numRuns: 2_000 },
    );
    for (const other of [
      '2023-11-14T22:13:20Z',
      '2023-11-14T22:13:60.000Z',
      '2023-11-14T22:13:2x.000Z',
      '2023-11-14T22:13:20.000+01:00',
      'garbage',
      '2023-1x-14T22:13:20.000Z',
      // Characters just below and above the digits (/ and :) anywhere a digit belongs.
      ...[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22].flatMap((i) =>
        ['/', ':', '?'].map(
          (c) => `${'2023-11-14T22:13:20.000Z'.slice(0, i)}${c}${'2023-11-14T22:13:20.000Z'.slice(i + 1)}`,
        ),
      ),
    ]) {
      expect(epochMillis(other)).toEqual(Date.parse(other));
    }
  });
});
