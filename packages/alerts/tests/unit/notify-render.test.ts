import { parse as parseLegacyUrl } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert.ts';
import { discoverUrl, type LinkOptions } from '../../src/notify/discover-url.ts';
import { SLACK_EVIDENCE_MAX, slackPayload, snsMessage, type SlackBlock } from '../../src/notify/render.ts';
import { encodeRison } from '../../src/notify/rison.ts';

const LINKS: LinkOptions = {
  dashboardsUrl: 'https://logs.example.com/_dashboards/',
  indexPatternIds: { 'logs-aws.cloudtrail-*': 'c0ffee00-1111-4222-8333-444455556666' },
};

const ALERT: Alert = {
  key: 'console-login-no-mfa|acme|alice|2025-03-01T10:00:00.000Z',
  ruleId: 'console-login-no-mfa',
  title: 'Console login without MFA',
  description: 'A user signed in to the AWS console without multi-factor authentication.',
  severity: 'high',
  tenant: 'acme',
  account: '111122223333',
  region: 'eu-west-1',
  dataset: 'aws.cloudtrail',
  time: '2025-03-01T10:02:03.000Z',
  count: 1,
  group: { 'user.name': 'alice' },
  evidence: [
    { field: 'user.name', value: 'alice' },
    { field: 'source.ip', value: '203.0.113.9' },
    { field: 'event.action', value: 'ConsoleLogin' },
  ],
  eventIds: ['37521982730155384620512423837520285730827262720589946880'],
  query: `event.action:"ConsoleLogin" and user.name:"alice" and not aws.cloudtrail.additional_eventdata.mfa_used:"Yes"`,
  indexPattern: 'logs-aws.cloudtrail-*',
};

/** Every text a Slack block carries, with the limit Block Kit puts on it. */
function texts(blocks: readonly SlackBlock[]): { where: string; text: string; max: number }[] {
  const out: { where: string; text: string; max: number }[] = [];
  for (const block of blocks) {
    if (block.type === 'header') out.push({ where: 'header', text: block.text.text, max: 150 });
    if (block.type === 'section') {
      if (block.text) out.push({ where: 'section', text: block.text.text, max: 3000 });
      for (const field of block.fields ?? []) out.push({ where: 'field', text: field.text, max: 2000 });
    }
    if (block.type === 'context')
      for (const e of block.elements) out.push({ where: 'context', text: e.text, max: 2000 });
    if (block.type === 'actions')
      for (const e of block.elements) out.push({ where: 'button url', text: e.url, max: 3000 });
  }
  return out;
}

function expectWithinSlackLimits(blocks: readonly SlackBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks) {
    if (block.type === 'section') expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
  }
  for (const { where, text, max } of texts(blocks)) {
    expect(text.length, `${where}: ${text.slice(0, 60)}`).toBeLessThanOrEqual(max);
    expect(text.length, where).toBeGreaterThan(0);
  }
}

describe('slackPayload', () => {
  it('lays an alert out as header, facts, evidence, context and a Discover button', () => {
    const payload = slackPayload(ALERT, LINKS);
    expect(payload.text).toBe(
      '[HIGH] Console login without MFA (rule console-login-no-mfa, 111122223333 eu-west-1)',
    );
    expect(payload.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'context',
      'actions',
    ]);
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':large_orange_circle: Console login without MFA', emoji: true },
    });
    const facts = payload.blocks[2];
    expect(facts?.type === 'section' && facts.fields?.map((f) => f.text)).toEqual([
      '*Severity*\nHIGH',
      '*Rule*\nconsole-login-no-mfa',
      '*Account*\n111122223333',
      '*Region*\neu-west-1',
      '*Time*\n2025-03-01T10:02:03.000Z',
      '*Count*\n1',
      '*Dataset*\naws.cloudtrail',
      '*Group*\nuser.name=alice',
    ]);
    const evidence = payload.blocks[3];
    expect(evidence?.type === 'section' && evidence.fields?.map((f) => f.text)).toEqual([
      '*user.name*\nalice',
      '*source.ip*\n203.0.113.9',
      '*event.action*\nConsoleLogin',
    ]);
    expect(payload.blocks[4]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Tenant: acme  |  Alert key: ${ALERT.key}  |  Events: ${ALERT.eventIds[0]}`,
        },
      ],
    });
    expect(payload.blocks[5]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in OpenSearch Dashboards' },
          url: discoverUrl(ALERT, LINKS),
          action_id: 'open-discover',
        },
      ],
    });
    expectWithinSlackLimits(payload.blocks);
  });

  it('shows count and window for a windowed rule, and dashes for what is unknown', () => {
    const payload = slackPayload(
      {
        ...ALERT,
        account: undefined,
        region: undefined,
        count: 42,
        window: { start: '2025-03-01T10:00:00.000Z', end: '2025-03-01T10:05:00.000Z' },
      },
      LINKS,
    );
    const facts = payload.blocks[2];
    const fields = facts?.type === 'section' ? (facts.fields ?? []).map((f) => f.text) : [];
    expect(fields).toContain('*Account*\n-');
    expect(fields).toContain('*Count / window*\n42 in 2025-03-01T10:00:00.000Z to 2025-03-01T10:05:00.000Z');
    expect(payload.text).toBe('[HIGH] Console login without MFA (rule console-login-no-mfa)');
  });

  it('keeps every text within Block Kit limits however long the values are', () => {
    const long = 'x'.repeat(10_000);
    const payload = slackPayload(
      {
        ...ALERT,
        title: `T${long}`,
        description: long,
        ruleId: long,
        evidence: [{ field: 'aws.cloudtrail.request_parameters', value: long }],
      },
      LINKS,
    );
    expectWithinSlackLimits(payload.blocks);
    const header = payload.blocks[0];
    expect(header?.type === 'header' && header.text.text).toMatch(/^:large_orange_circle: Tx+…$/);
    expect(header?.type === 'header' && header.text.text.length).toBe(150);
    const evidence = payload.blocks[3];
    const value = evidence?.type === 'section' ? evidence.fields?.[0]?.text : undefined;
    expect(value).toMatch(/^\*aws\.cloudtrail\.request_parameters\*\nx+…$/);
    expect(payload.text.length).toBeLessThanOrEqual(3000);
  });

  it('shows at most 8 of 50 evidence fields and says how many more there are', () => {
    const evidence = Array.from({ length: 50 }, (_, i) => ({ field: `field.${i}`, value: `value ${i}` }));
    const payload = slackPayload({ ...ALERT, evidence }, LINKS);
    expectWithinSlackLimits(payload.blocks);
    const section = payload.blocks.find(
      (b) => b.type === 'section' && b.text?.type === 'mrkdwn' && b.text.text === '*Evidence*',
    );
    expect(section?.type === 'section' && section.fields?.length).toBe(SLACK_EVIDENCE_MAX);
    expect(section?.type === 'section' && section.fields?.[7]?.text).toBe('*field.7*\nvalue 7');
    const context = payload.blocks.find((b) => b.type === 'context');
    expect(context?.type === 'context' && context.elements[0]?.text).toContain('+42 more evidence fields');
  });

  it('escapes &, < and > in every value, so no value can mention a channel or hide a link', () => {
    const hostile = '<!channel> & <https://evil.example|click here>';
    const payload = slackPayload(
      {
        ...ALERT,
        title: hostile,
        description: hostile,
        evidence: [{ field: '<b>', value: hostile }],
        tenant: '<@U123>',
      },
      LINKS,
    );
    const escaped = '&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;';
    expect(payload.text).toContain(escaped);
    const mrkdwnTexts = texts(payload.blocks).filter((t) => t.where !== 'header' && t.where !== 'button url');
    for (const { text } of mrkdwnTexts) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    const evidence = payload.blocks[3];
    expect(evidence?.type === 'section' && evidence.fields?.[0]?.text).toBe(`*&lt;b&gt;*\n${escaped}`);
    // A header is plain_text: shown literally, nothing to escape.
    expect(payload.blocks[0]?.type === 'header' && payload.blocks[0].text.text).toContain(hostile);
  });

  it('never cuts an escaped value in the middle of an entity', () => {
    const payload = slackPayload({ ...ALERT, evidence: [{ field: 'f', value: '&'.repeat(1_000) }] }, LINKS);
    const evidence = payload.blocks[3];
    const text = evidence?.type === 'section' ? (evidence.fields?.[0]?.text ?? '') : '';
    expect(text).toMatch(/^\*f\*\n(&amp;)+…$/);
    expect(text.length).toBeLessThanOrEqual(2 + 1 + 1 + 300);
  });

  it('drops a query too long for a button URL from the link and shows it as text', () => {
    const query = Array.from({ length: 200 }, (_, i) => `source.ip:"203.0.113.${i}"`).join(' or ');
    const payload = slackPayload({ ...ALERT, query }, LINKS);
    expectWithinSlackLimits(payload.blocks);
    const button = payload.blocks.find((b) => b.type === 'actions');
    const url = button?.type === 'actions' ? (button.elements[0]?.url ?? '') : '';
    expect(decodeDiscover(url).q).toEqual({ filters: [], query: { language: 'kuery', query: '' } });
    const shown = payload.blocks.find(
      (b) => b.type === 'section' && b.text?.text.startsWith('*Query (DQL)*'),
    );
    expect(shown).toBeDefined();
  });
});

describe('snsMessage', () => {
  it('has an ASCII subject, a readable body and attributes to filter on', () => {
    const message = snsMessage(ALERT, LINKS);
    expect(message.Subject).toBe('[HIGH] Console login without MFA');
    const { alert, ...filterable } = message.MessageAttributes;
    expect(filterable).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      severityLevel: { DataType: 'Number', StringValue: '3' },
      ruleId: { DataType: 'String', StringValue: 'console-login-no-mfa' },
      tenant: { DataType: 'String', StringValue: 'acme' },
      account: { DataType: 'String', StringValue: '111122223333' },
      region: { DataType: 'String', StringValue: 'eu-west-1' },
      dataset: { DataType: 'String', StringValue: 'aws.cloudtrail' },
      alertKey: { DataType: 'String', StringValue: ALERT.key },
    });
    expect(alert?.DataType).toBe('String');
    expect(JSON.parse(alert?.StringValue ?? '')).toEqual(ALERT);
    expect(Object.keys(message.MessageAttributes).length).toBeLessThanOrEqual(10);

    expect(message.Message).toBe(
      [
        'HIGH: Console login without MFA',
        '',
        'A user signed in to the AWS console without multi-factor authentication.',
        '',
        'Severity:  high',
        'Rule:      console-login-no-mfa',
        'Tenant:    acme',
        'Account:   111122223333',
        'Region:    eu-west-1',
        'Dataset:   aws.cloudtrail',
        'Time:      2025-03-01T10:02:03.000Z',
        'Count:     1',
        'Group:     user.name=alice',
        '',
        'Evidence:',
        '  user.name: alice',
        '  source.ip: 203.0.113.9',
        '  event.action: ConsoleLogin',
        '',
        'Event ids:',
        `  ${ALERT.eventIds[0]}`,
        '',
        'Query (DQL) on logs-aws.cloudtrail-*:',
        `  ${ALERT.query}`,
        '',
        'Open in OpenSearch Dashboards:',
        discoverUrl(ALERT, LINKS),
        '',
        `Alert key: ${ALERT.key}`,
      ].join('\n'),
    );
  });

  it('leaves out attributes without a value: SNS rejects empty ones', () => {
    const message = snsMessage({ ...ALERT, account: undefined, region: '' }, LINKS);
    expect(message.MessageAttributes).not.toHaveProperty('account');
    expect(message.MessageAttributes).not.toHaveProperty('region');
    expect(message.Message).toContain('Account:   -');
  });

  it.each([
    ['a line break', 'Root login\r\nfrom 203.0.113.9', '[CRITICAL] Root login from 203.0.113.9'],
    ['accents and emoji', 'Connexion refusée 🚨 à la console', '[CRITICAL] Connexion refusee ? a la console'],
    ['an empty title', '   ', '[CRITICAL] Alert from rule console-login-no-mfa'],
  ])('makes a valid SNS subject from a title with %s', (_, title, subject) => {
    expect(snsMessage({ ...ALERT, severity: 'critical', title }, LINKS).Subject).toBe(subject);
  });

  it('cuts a long subject under 100 printable ASCII characters', () => {
    const subject = snsMessage({ ...ALERT, title: `Über ${'long '.repeat(60)}\n` }, LINKS).Subject;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^\[HIGH\] Uber (long )+lo?n?g?\.\.\.$/);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('fits 256 KiB with its attributes when the evidence is huge, leaving the JSON out first', () => {
    const huge = 'A'.repeat(300_000);
    const message = snsMessage(
      { ...ALERT, evidence: [{ field: 'aws.cloudtrail.response_elements', value: huge }] },
      LINKS,
    );
    const attributesBytes = Object.entries(message.MessageAttributes).reduce(
      (sum, [name, v]) =>
        sum +
        Buffer.byteLength(name) +
        Buffer.byteLength(v.DataType ?? '') +
        Buffer.byteLength(v.StringValue ?? ''),
      0,
    );
    expect(Buffer.byteLength(message.Message) + attributesBytes).toBeLessThanOrEqual(262_144);
    expect(message.MessageAttributes).not.toHaveProperty('alert');
    expect(message.Message.startsWith('HIGH: Console login without MFA\n')).toBe(true);
    expect(message.Message.endsWith('…')).toBe(true);
  });

  it('never splits a multi-byte character when it cuts the body', () => {
    const message = snsMessage({ ...ALERT, evidence: [{ field: 'f', value: '🚨'.repeat(80_000) }] }, LINKS);
    expect(message.Message).not.toContain('\uFFFD');
    expect(Buffer.from(message.Message, 'utf8').toString('utf8')).toBe(message.Message);
  });
});

describe('discoverUrl', () => {
  it('is the data-explorer Discover URL Dashboards writes itself, with this alert’s state', () => {
    const url = discoverUrl(ALERT, LINKS);
    expect(url.startsWith('https://logs.example.com/_dashboards/app/data-explorer/discover#?_a=')).toBe(true);
    const { a, g, q, raw } = decodeDiscover(url);
    expect(raw.a).toBe(
      // A uuid starting with a letter is a valid rison id, so bare; one starting with a digit is quoted.
      '(discover:(columns:!(_source),isDirty:!f,sort:!()),metadata:(indexPattern:c0ffee00-1111-4222-8333-444455556666,view:discover))',
    );
    expect(a).toEqual({
      discover: { columns: ['_source'], isDirty: false, sort: [] },
      metadata: { indexPattern: 'c0ffee00-1111-4222-8333-444455556666', view: 'discover' },
    });
    // No window: the event's time ± 15 minutes.
    expect(g).toEqual({
      filters: [],
      refreshInterval: { pause: true, value: 0 },
      time: { from: '2025-03-01T09:47:03.000Z', to: '2025-03-01T10:17:03.000Z' },
    });
    expect(q).toEqual({ filters: [], query: { language: 'kuery', query: ALERT.query } });
  });

  it('uses the window as the time range, and the title as id when no id is configured', () => {
    const alert: Alert = {
      ...ALERT,
      indexPattern: 'logs-aws.vpcflow-*',
      window: { start: '2025-03-01T10:00:00.000Z', end: '2025-03-01T10:05:00.000Z' },
    };
    const { a, g } = decodeDiscover(discoverUrl(alert, LINKS));
    expect(a).toMatchObject({ metadata: { indexPattern: 'logs-aws.vpcflow-*' } });
    expect(g).toMatchObject({ time: { from: '2025-03-01T10:00:00.000Z', to: '2025-03-01T10:05:00.000Z' } });
  });

  it('round-trips a query with quotes, bangs, ampersands, hashes and non-ASCII', () => {
    const query = `user.name:"o'brien" and not event.outcome:success! and url.path:"/a&b=c#d" and message:"naïve 100%+"`;
    const url = discoverUrl({ ...ALERT, query }, LINKS);
    const { q, raw } = decodeDiscover(url);
    expect(raw.q).toContain(`o!'brien`);
    expect(raw.q).toContain('success!!');
    expect(q).toEqual({ filters: [], query: { language: 'kuery', query } });
    // Nothing a plain-text linkifier stops at, and no second # or raw space.
    expect(url.slice(url.indexOf('#') + 1)).toMatch(/^[A-Za-z0-9?=&%_.:,~-]+$/);
  });

  it('falls back to the last 24 hours when the alert time is not a date', () => {
    const { g } = decodeDiscover(discoverUrl({ ...ALERT, time: 'yesterday' }, LINKS));
    expect(g).toMatchObject({ time: { from: 'now-24h', to: 'now' } });
  });
});

describe('encodeRison', () => {
  it.each<[unknown, string]>([
    ['', "''"],
    ['discover', 'discover'],
    ['now-15m', 'now-15m'],
    ['-starts-with-dash', "'-starts-with-dash'"],
    ['92dba400-8ea5-11ee-a56a-355d088e94d1', "'92dba400-8ea5-11ee-a56a-355d088e94d1'"],
    ['logs-aws.cloudtrail-*', "'logs-aws.cloudtrail-*'"],
    ['2025-03-01T10:00:00.000Z', "'2025-03-01T10:00:00.000Z'"],
    ["it's!", "'it!'s!!'"],
    ['with space', "'with space'"],
    [true, '!t'],
    [false, '!f'],
    [null, '!n'],
    [0, '0'],
    [-1.5, '-1.5'],
    [1e21, '1e21'],
    [[], '!()'],
    [['a', 1, [true]], '!(a,1,!(!t))'],
    [{ b: 1, a: 'x', skip: undefined }, '(a:x,b:1)'],
    [{ $state: { store: 'appState' } }, "('$state':(store:appState))"],
  ])('%j → %s', (value, rison) => {
    expect(encodeRison(value as Parameters<typeof encodeRison>[0])).toBe(rison);
  });
});

/**
 * Reads a Discover URL back the way Dashboards does (legacy `url.parse(hash, true)`, see
 * opensearch_dashboards_utils/public/state_management/url/parse.ts), then decodes the rison.
 */
function decodeDiscover(url: string): {
  a: unknown;
  g: unknown;
  q: unknown;
  raw: { a: string; g: string; q: string };
} {
  const hash = parseLegacyUrl(url).hash ?? '';
  const query = parseLegacyUrl(hash.slice(1), true).query;
  const raw = { a: String(query['_a']), g: String(query['_g']), q: String(query['_q']) };
  return { a: decodeRison(raw.a), g: decodeRison(raw.g), q: decodeRison(raw.q), raw };
}

/** A rison decoder written from the spec, independent of the encoder under test. */
function decodeRison(text: string): unknown {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`rison: ${why} at ${i} in ${text}`);
  };
  const list = (close: string, item: () => void): void => {
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      const separator = text[i++];
      if (separator === close) return;
      if (separator !== ',') fail('expected , or ' + close);
    }
  };
  const value = (): unknown => {
    const c = text[i];
    if (c === '(') {
      i++;
      const object: Record<string, unknown> = {};
      list(')', () => {
        const key = value();
        if (typeof key !== 'string') fail('key is not a string');
        if (text[i++] !== ':') fail('expected :');
        object[key as string] = value();
      });
      return object;
    }
    if (c === '!') {
      const next = text[i + 1];
      i += 2;
      if (next === 't') return true;
      if (next === 'f') return false;
      if (next === 'n') return null;
      if (next !== '(') fail('unknown ! escape');
      const array: unknown[] = [];
      list(')', () => array.push(value()));
      return array;
    }
    if (c === "'") {
      i++;
      let s = '';
      for (;;) {
        const ch = text[i++];
        if (ch === undefined) fail('unterminated string');
        if (ch === "'") return s;
        if (ch === '!') {
          const escaped = text[i++];
          if (escaped !== '!' && escaped !== "'") fail('bad string escape');
          s += escaped;
        } else s += ch;
      }
    }
    const number = /^-?\d+(?:\.\d+)?(?:e-?\d+)?/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      return Number(number[0]);
    }
    const id = /^[^-0-9 '!:(),*@$][^ '!:(),*@$]*/.exec(text.slice(i));
    if (!id) return fail('unexpected character');
    i += id[0].length;
    return id[0];
  };
  const result = value();
  if (i !== text.length) fail('trailing characters');
  return result;
}
