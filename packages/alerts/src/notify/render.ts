// Pure rendering of an alert for its two destinations. Nothing here does I/O; every service limit
// is enforced here, so delivery never fails on a payload we could have made valid.
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Alert, Severity } from '../alert.ts';
import { discoverUrl, type LinkOptions } from './discover-url.ts';
import { mrkdwn, truncate, truncateBytes } from './text.ts';

// The Discover link is part of what this module renders; callers may take it from here.
export { discoverUrl, type LinkOptions } from './discover-url.ts';

/** What `PublishCommand` takes from an alert (the topic ARN is the caller's). */
export interface SnsMessage {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
}

// SNS Publish limits (Amazon SNS API reference, Publish): the subject is ASCII without line breaks
// or control characters and "less than 100 characters"; message plus attributes (names, data
// types and values all count) at most 256 KiB = 262,144 bytes.
const SUBJECT_MAX = 99;
const SNS_MAX_BYTES = 262_144;
// Room for what SNS may count that we do not see (its own encoding of the attributes).
const SNS_MARGIN_BYTES = 1_024;

const SEVERITY_LEVEL: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/**
 * The SNS form of an alert: an ASCII subject, a plain-text body a person reads in an email, and
 * message attributes subscribers filter on with SNS filter policies.
 *
 * Attributes (at most 9, SNS allows 10): String `severity`, `ruleId`, `tenant`, `account`,
 * `region`, `dataset`, `alertKey` (left out when empty: SNS rejects empty values); Number
 * `severityLevel` 1–4 so a policy can say `{"severityLevel":[{"numeric":[">=",3]}]}`; and String
 * `alert`, the whole alert as JSON for programs, only when it fits: attribute values count toward
 * the 256 KiB message size and the readable body comes first. Its absence means "too large"; the
 * body then carries everything but is cut to fit.
 */
export function snsMessage(alert: Alert, links: LinkOptions): SnsMessage {
  const attributes: Record<string, MessageAttributeValue> = {};
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  };
  put('severity', alert.severity);
  put('ruleId', alert.ruleId);
  put('tenant', alert.tenant);
  put('account', alert.account);
  put('region', alert.region);
  put('dataset', alert.dataset);
  put('alertKey', alert.key);
  attributes['severityLevel'] = { DataType: 'Number', StringValue: String(SEVERITY_LEVEL[alert.severity]) };

  const budget = SNS_MAX_BYTES - SNS_MARGIN_BYTES - attributesBytes(attributes);
  const message = truncateBytes(snsText(alert, discoverUrl(alert, links)), budget);
  const json = JSON.stringify(alert);
  if (Buffer.byteLength(message) + attributeBytes('alert', 'String', json) <= budget) {
    attributes['alert'] = { DataType: 'String', StringValue: json };
  }
  return { Subject: snsSubject(alert), Message: message, MessageAttributes: attributes };
}

/** `[CRITICAL] <title>` as SNS accepts it: printable ASCII, one line, under 100 characters. */
export function snsSubject(alert: Alert): string {
  const title = alert.title.trim() === '' ? `Alert from rule ${alert.ruleId}` : alert.title;
  const ascii = `[${alert.severity.toUpperCase()}] ${title}`
    // Decompose accents (é → e + U+0301) so that dropping the combining marks keeps the letter.
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\t\n\v\f\r]+/g, ' ')
    .replace(/[^\x20-\x7e]/gu, '?') // per code point: an emoji is one `?`, not two
    .replace(/ {2,}/g, ' ')
    .trim();
  return truncate(ascii, SUBJECT_MAX, '...');
}

/** The readable body: what happened, where, when, the evidence and the link to the events. */
function snsText(alert: Alert, link: string): string {
  const lines: string[] = [`${alert.severity.toUpperCase()}: ${alert.title}`, ''];
  if (alert.description !== undefined && alert.description !== '') lines.push(alert.description, '');
  const row = (label: string, value: string): void => {
    lines.push(`${`${label}:`.padEnd(11)}${value}`);
  };
  row('Severity', alert.severity);
  row('Rule', alert.ruleId);
  row('Tenant', alert.tenant);
  row('Account', alert.account ?? '-');
  row('Region', alert.region ?? '-');
  row('Dataset', alert.dataset);
  row('Time', alert.time);
  if (alert.window) row('Window', `${alert.window.start} to ${alert.window.end}`);
  row('Count', String(alert.count));
  const group = groupText(alert);
  if (group !== undefined) row('Group', group);

  if (alert.evidence.length > 0) {
    lines.push('', 'Evidence:');
    for (const { field, value } of alert.evidence) lines.push(`  ${field}: ${value}`);
  }
  if (alert.eventIds.length > 0) {
    lines.push('', 'Event ids:');
    for (const id of alert.eventIds) lines.push(`  ${id}`);
  }
  lines.push('', `Query (DQL) on ${alert.indexPattern}:`, `  ${alert.query}`);
  lines.push('', 'Open in OpenSearch Dashboards:', link, '', `Alert key: ${alert.key}`);
  return lines.join('\n');
}

function attributesBytes(attributes: Record<string, MessageAttributeValue>): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    total += attributeBytes(name, value.DataType ?? '', value.StringValue ?? '');
  }
  return total;
}

function attributeBytes(name: string, dataType: string, value: string): number {
  return Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(value);
}

function groupText(alert: Alert): string | undefined {
  const entries = Object.entries(alert.group ?? {});
  return entries.length === 0 ? undefined : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Slack

/** A Block Kit text object. */
export type SlackText =
  | { readonly type: 'plain_text'; readonly text: string; readonly emoji?: boolean }
  | { readonly type: 'mrkdwn'; readonly text: string };

/** The Block Kit blocks an alert uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | {
      readonly type: 'actions';
      readonly elements: readonly {
        readonly type: 'button';
        readonly text: SlackText;
        readonly url: string;
        readonly action_id: string;
      }[];
    };

/** An incoming-webhook message: `text` is the notification and fallback, `blocks` the layout. */
export interface SlackPayload {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks): header text 150 chars;
// section text 3000; a section's fields at most 10, each 2000; button text 75, button url 3000.
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3_000;
const FIELD_MAX = 2_000;
const CONTEXT_TEXT_MAX = 2_000;
const BUTTON_URL_MAX = 3_000;
/** Evidence fields shown in Slack; the rest are counted, and all of them are in the SNS body. */
export const SLACK_EVIDENCE_MAX = 8;
/** Readability, not a Slack limit: a two-column field holding a 2,000-character value is a wall. */
const EVIDENCE_VALUE_MAX = 300;

const EMOJI: Record<Severity, string> = {
  low: ':large_blue_circle:',
  medium: ':large_yellow_circle:',
  high: ':large_orange_circle:',
  critical: ':red_circle:',
};

/** The Slack incoming-webhook message for an alert, within every Block Kit limit. */
export function slackPayload(alert: Alert, links: LinkOptions): SlackPayload {
  const title = alert.title.trim() === '' ? `Alert from rule ${alert.ruleId}` : alert.title;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${EMOJI[alert.severity]} ${title}`, HEADER_MAX),
        emoji: true,
      },
    },
  ];
  if (alert.description !== undefined && alert.description.trim() !== '') {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: mrkdwn(alert.description, SECTION_TEXT_MAX) },
    });
  }

  const field = (label: string, value: string): SlackText => ({
    type: 'mrkdwn',
    text: `*${label}*\n${mrkdwn(value, FIELD_MAX - label.length - 3)}`,
  });
  const count = alert.window
    ? `${alert.count} in ${alert.window.start} to ${alert.window.end}`
    : String(alert.count);
  const fields = [
    field('Severity', alert.severity.toUpperCase()),
    field('Rule', alert.ruleId),
    field('Account', alert.account ?? '-'),
    field('Region', alert.region ?? '-'),
    field('Time', alert.time),
    field(alert.window ? 'Count / window' : 'Count', count),
    field('Dataset', alert.dataset),
  ];
  const group = groupText(alert);
  if (group !== undefined) fields.push(field('Group', group));
  blocks.push({ type: 'section', fields });

  const shown = alert.evidence.slice(0, SLACK_EVIDENCE_MAX);
  if (shown.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Evidence*' },
      fields: shown.map(({ field: name, value }) => ({
        type: 'mrkdwn' as const,
        text: `*${mrkdwn(name, 200)}*\n${mrkdwn(value, EVIDENCE_VALUE_MAX)}`,
      })),
    });
  }
  const hidden = alert.evidence.length - shown.length;

  const link = slackLink(alert, links);
  if (link.queryDropped) {
    // The link could not carry the query: show it so it can be pasted into Discover.
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Query (DQL)*\n${mrkdwn(alert.query, SECTION_TEXT_MAX - 20)}` },
    });
  }

  const context = [`Tenant: ${alert.tenant}`, `Alert key: ${alert.key}`];
  if (alert.eventIds.length > 0) {
    const ids = alert.eventIds.slice(0, 3).join(', ');
    context.push(`Events: ${ids}${alert.eventIds.length > 3 ? ` (+${alert.eventIds.length - 3})` : ''}`);
  }
  if (hidden > 0) context.push(`+${hidden} more evidence fields (in the email and in Discover)`);
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: mrkdwn(context.join('  |  '), CONTEXT_TEXT_MAX) }],
  });

  if (link.url !== undefined) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in OpenSearch Dashboards' },
          url: link.url,
          action_id: 'open-discover',
        },
      ],
    });
  }

  // The notification banner and the fallback for clients that cannot show blocks.
  const where = [alert.account, alert.region].filter((part) => part !== undefined && part !== '').join(' ');
  const text = mrkdwn(
    `[${alert.severity.toUpperCase()}] ${title} (rule ${alert.ruleId}${where === '' ? '' : `, ${where}`})`,
    SECTION_TEXT_MAX,
  );
  return { text, blocks };
}

/**
 * The button's Discover URL. A button URL holds at most 3,000 characters: a query too long for
 * that is dropped from the link (index pattern and time range stay) and shown as text instead.
 */
function slackLink(alert: Alert, links: LinkOptions): { url?: string; queryDropped: boolean } {
  const full = discoverUrl(alert, links);
  if (full.length <= BUTTON_URL_MAX) return { url: full, queryDropped: false };
  const bare = discoverUrl({ ...alert, query: '' }, links);
  return bare.length <= BUTTON_URL_MAX ? { url: bare, queryDropped: true } : { queryDropped: true };
}
