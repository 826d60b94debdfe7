import { isDataset, type Dataset } from '@central-logging/log-schema';
import { SEVERITIES, type Destinations, type Severity } from '../alert.ts';

/** A value a predicate compares with. */
export type Scalar = string | number | boolean;

/**
 * A condition on one document. A field condition holds when ANY value of the field (arrays
 * included) satisfies it; `exists: false` holds when the field has no value at all.
 */
export type Predicate =
  | { readonly all: readonly Predicate[] }
  | { readonly any: readonly Predicate[] }
  | { readonly not: Predicate }
  | FieldCondition;

export interface FieldCondition {
  readonly field: string;
  readonly equals?: Scalar;
  readonly in?: readonly Scalar[];
  readonly exists?: boolean;
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  /** A regular expression (JavaScript syntax), compiled once at load. */
  readonly matches?: string;
  readonly contains?: string;
  readonly startsWith?: string;
  /** IPv4/IPv6 CIDR blocks (`0.0.0.0/0`, `::/0`, `10.0.0.0/8`); the value is an address or a CIDR. */
  readonly cidr?: readonly string[];
  /** Case-insensitive `equals`, `in`, `contains`, `startsWith`. */
  readonly ignoreCase?: boolean;
}

export const CONDITION_OPERATORS = [
  'equals',
  'in',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'matches',
  'contains',
  'startsWith',
  'cidr',
] as const;

/** Which accounts a rule applies to: listed accounts, or accounts in the listed OUs. */
export interface Scope {
  readonly accounts?: readonly string[];
  readonly ous?: readonly string[];
}

interface RuleBase {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly severity: Severity;
  /** The datasets whose documents the rule reads (rules are indexed by dataset). */
  readonly datasets: readonly Dataset[];
  readonly where?: Predicate;
  /** Fields shown in the notification, in this order (first matching event). */
  readonly evidence?: readonly string[];
  readonly enabled?: boolean;
  readonly scope?: Scope;
}

/** Every matching event is an alert, deduplicated by `dedup.by` within `dedup.window`. */
export interface MatchRule extends RuleBase {
  readonly kind: 'match';
  readonly dedup?: { readonly by?: readonly string[]; readonly window?: string };
}

/**
 * A numeric field past a limit, e.g. response time > 1000 ms or GuardDuty severity ≥ 7: exactly
 * one of `above` (>), `atLeast` (≥), `below` (<), `atMost` (≤). Deduplicated per group and window.
 */
export interface MetricRule extends RuleBase {
  readonly kind: 'metric';
  readonly field: string;
  readonly above?: number;
  readonly atLeast?: number;
  readonly below?: number;
  readonly atMost?: number;
  readonly groupBy?: readonly string[];
  readonly window: string;
}

/** At least `count` matching events per group within a tumbling window (≤ 15 minutes). */
export interface ThresholdRule extends RuleBase {
  readonly kind: 'threshold';
  readonly groupBy: readonly string[];
  readonly window: string;
  readonly count: number;
}

/** The first time `value` is seen for `entity` (e.g. a new source IP for a root user), remembered for `remember`. */
export interface NewValueRule extends RuleBase {
  readonly kind: 'new_value';
  readonly entity: readonly string[];
  readonly value: readonly string[];
  readonly remember: string;
}

export const METRIC_LIMITS = ['above', 'atLeast', 'below', 'atMost'] as const;

export type Rule = MatchRule | MetricRule | ThresholdRule | NewValueRule;
export type RuleKind = Rule['kind'];

/** What a tenant may change in a rule. */
export interface RuleOverride {
  readonly enabled?: boolean;
  readonly severity?: Severity;
  readonly count?: number;
  /** The metric rule's limit, whichever of above/atLeast/below/atMost it uses. */
  readonly limit?: number;
  readonly window?: string;
  readonly scope?: Scope;
}

export interface Tenant {
  readonly id: string;
  readonly accounts?: readonly string[];
  readonly ous?: readonly string[];
  readonly destinations?: Destinations;
  readonly overrides?: Readonly<Record<string, RuleOverride>>;
}

/** Who is who in the organization, and where their alerts go. */
export interface TenantsConfig {
  /**
   * Accounts whose log groups legitimately carry other accounts' events (the organization trail's
   * CloudTrail log group in the management or logging account). Only there is the event's own
   * `cloud.account.id` trusted; elsewhere the CloudWatch Logs owner decides the account.
   */
  readonly forwarders?: readonly string[];
  /** Each account's OUs (from the root down), as central-infra exports them from Organizations. */
  readonly organization?: { readonly accounts: Readonly<Record<string, readonly string[]>> };
  /** Where alerts of accounts no tenant claims go. */
  readonly default?: { readonly destinations?: Destinations };
  readonly tenants?: readonly Tenant[];
}

/** Durations as rules write them: `90s`, `5m`, `1h`, `30d`. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Number(match[1]) * unit;
  return ms > 0 ? ms : undefined;
}

export const MAX_WINDOW_MS = 15 * 60_000;
export const MAX_DEDUP_WINDOW_MS = 7 * 86_400_000;
export const MAX_REMEMBER_MS = 400 * 86_400_000;

/** One problem in a rule or tenants file, located precisely enough to fix it. */
export interface ConfigProblem {
  readonly file: string;
  readonly ruleId?: string | undefined;
  /** JSON path inside the rule (`where.all[1].cidr`) or the file. */
  readonly field: string;
  readonly message: string;
}

/** The configuration does not load: every problem found, not just the first. */
export class RuleConfigError extends Error {
  override readonly name = 'RuleConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the alert configuration:\n` +
        problems
          .map((p) => `  ${p.file}${p.ruleId ? ` (rule ${p.ruleId})` : ''} ${p.field}: ${p.message}`)
          .join('\n'),
    );
  }
}

type Report = (field: string, message: string) => void;

/** Validates one parsed rule; returns it typed, or undefined after reporting every problem. */
export function validateRule(value: unknown, report: Report): Rule | undefined {
  let problems = 0;
  const counting: Report = (f, m) => {
    problems++;
    report(f, m);
  };
  if (!isObject(value)) {
    counting('', 'a rule must be an object');
    return undefined;
  }
  const known = new Set([
    'id',
    'title',
    'description',
    'severity',
    'kind',
    'datasets',
    'where',
    'evidence',
    'enabled',
    'scope',
    'dedup',
    'field',
    'above',
    'atLeast',
    'below',
    'atMost',
    'groupBy',
    'window',
    'count',
    'entity',
    'value',
    'remember',
  ]);
  for (const key of Object.keys(value)) if (!known.has(key)) counting(key, 'unknown property');

  if (typeof value.id !== 'string' || !/^[a-z0-9][a-z0-9-]{2,79}$/.test(value.id)) {
    counting('id', 'must be 3–80 lowercase letters, digits and dashes');
  }
  if (typeof value.title !== 'string' || value.title.trim() === '')
    counting('title', 'must be a non-empty string');
  if (value.description !== undefined && typeof value.description !== 'string') {
    counting('description', 'must be a string');
  }
  if (!SEVERITIES.includes(value.severity as Severity))
    counting('severity', `must be one of ${SEVERITIES.join(', ')}`);
  if (!Array.isArray(value.datasets) || value.datasets.length === 0) {
    counting('datasets', 'must list at least one dataset, e.g. [aws.cloudtrail]');
  } else {
    value.datasets.forEach((d, i) => {
      if (typeof d !== 'string' || !isDataset(d))
        counting(`datasets[${i}]`, `unknown dataset ${JSON.stringify(d)}`);
    });
  }
  if (value.where !== undefined) validatePredicate(value.where, 'where', counting, 0);
  fieldList(value.evidence, 'evidence', counting, false);
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean')
    counting('enabled', 'must be true or false');
  if (value.scope !== undefined) validateScope(value.scope, 'scope', counting);

  switch (value.kind) {
    case 'match':
      if (value.dedup !== undefined) {
        if (!isObject(value.dedup)) counting('dedup', 'must be an object with `by` and/or `window`');
        else {
          fieldList(value.dedup.by, 'dedup.by', counting, false);
          if (value.dedup.window !== undefined)
            duration(value.dedup.window, 'dedup.window', counting, MAX_DEDUP_WINDOW_MS);
        }
      }
      forbid(
        value,
        ['field', ...METRIC_LIMITS, 'groupBy', 'window', 'count', 'entity', 'value', 'remember'],
        'match',
        counting,
      );
      break;
    case 'metric':
      if (typeof value.field !== 'string' || value.field === '')
        counting('field', 'must name the numeric field');
      {
        const limits = METRIC_LIMITS.filter((k) => value[k] !== undefined);
        if (limits.length !== 1)
          counting('above', 'a metric rule needs exactly one of above, atLeast, below, atMost');
        for (const k of limits) if (!Number.isFinite(value[k])) counting(k, 'must be a number');
      }
      fieldList(value.groupBy, 'groupBy', counting, false);
      duration(value.window, 'window', counting, MAX_DEDUP_WINDOW_MS);
      forbid(value, ['dedup', 'count', 'entity', 'value', 'remember'], 'metric', counting);
      break;
    case 'threshold':
      fieldList(value.groupBy, 'groupBy', counting, true);
      duration(value.window, 'window', counting, MAX_WINDOW_MS);
      if (
        !Number.isSafeInteger(value.count) ||
        (value.count as number) < 1 ||
        (value.count as number) > 10_000
      ) {
        counting('count', 'must be an integer from 1 to 10000');
      }
      forbid(
        value,
        ['dedup', 'field', ...METRIC_LIMITS, 'entity', 'value', 'remember'],
        'threshold',
        counting,
      );
      break;
    case 'new_value':
      fieldList(value.entity, 'entity', counting, true);
      fieldList(value.value, 'value', counting, true);
      duration(value.remember, 'remember', counting, MAX_REMEMBER_MS);
      forbid(
        value,
        ['dedup', 'field', ...METRIC_LIMITS, 'groupBy', 'window', 'count'],
        'new_value',
        counting,
      );
      break;
    default:
      counting('kind', 'must be one of match, metric, threshold, new_value');
  }
  return problems === 0 ? (value as unknown as Rule) : undefined;
}

export function validatePredicate(value: unknown, path: string, report: Report, depth: number): void {
  if (depth > 16) return report(path, 'nested more than 16 levels');
  if (!isObject(value)) return report(path, 'a condition must be an object');
  if ('all' in value || 'any' in value) {
    const key = 'all' in value ? 'all' : 'any';
    const list = value[key];
    if (Object.keys(value).length !== 1) report(path, `\`${key}\` stands alone in its object`);
    if (!Array.isArray(list) || list.length === 0)
      return report(`${path}.${key}`, 'must be a non-empty list');
    list.forEach((p, i) => validatePredicate(p, `${path}.${key}[${i}]`, report, depth + 1));
    return;
  }
  if ('not' in value) {
    if (Object.keys(value).length !== 1) report(path, '`not` stands alone in its object');
    return validatePredicate(value.not, `${path}.not`, report, depth + 1);
  }
  if (typeof value.field !== 'string' || value.field === '') {
    return report(path, 'must have `field`, or be `all`, `any` or `not`');
  }
  const operators = CONDITION_OPERATORS.filter((op) => op in value);
  if (operators.length === 0) report(path, `needs an operator: ${CONDITION_OPERATORS.join(', ')}`);
  for (const key of Object.keys(value)) {
    if (
      key !== 'field' &&
      key !== 'ignoreCase' &&
      !(CONDITION_OPERATORS as readonly string[]).includes(key)
    ) {
      report(`${path}.${key}`, 'unknown operator');
    }
  }
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if ('equals' in value && !scalar(value.equals))
    report(`${path}.equals`, 'must be a string, number or boolean');
  if ('in' in value && (!Array.isArray(value.in) || value.in.length === 0 || !value.in.every(scalar))) {
    report(`${path}.in`, 'must be a non-empty list of strings, numbers or booleans');
  }
  if ('exists' in value && typeof value.exists !== 'boolean')
    report(`${path}.exists`, 'must be true or false');
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (op in value && !Number.isFinite(value[op])) report(`${path}.${op}`, 'must be a number');
  }
  for (const op of ['contains', 'startsWith'] as const) {
    if (op in value && typeof value[op] !== 'string') report(`${path}.${op}`, 'must be a string');
  }
  if ('matches' in value) {
    if (typeof value.matches !== 'string') report(`${path}.matches`, 'must be a regular expression string');
    else {
      try {
        new RegExp(value.matches);
      } catch (error) {
        report(`${path}.matches`, `invalid regular expression: ${(error as Error).message}`);
      }
    }
  }
  if ('cidr' in value) {
    if (!Array.isArray(value.cidr) || value.cidr.length === 0)
      report(`${path}.cidr`, 'must be a non-empty list');
    else
      value.cidr.forEach((c, i) =>
        typeof c === 'string' && parseCidr(c)
          ? undefined
          : report(`${path}.cidr[${i}]`, `not a CIDR block: ${JSON.stringify(c)}`),
      );
  }
  if ('ignoreCase' in value && typeof value.ignoreCase !== 'boolean')
    report(`${path}.ignoreCase`, 'must be true or false');
}

export function validateScope(value: unknown, path: string, report: Report): void {
  if (!isObject(value)) return report(path, 'must be an object with `accounts` and/or `ous`');
  for (const key of Object.keys(value))
    if (key !== 'accounts' && key !== 'ous') report(`${path}.${key}`, 'unknown property');
  if (value.accounts !== undefined) accountList(value.accounts, `${path}.accounts`, report);
  if (value.ous !== undefined) {
    if (
      !Array.isArray(value.ous) ||
      !value.ous.every(
        (o) => typeof o === 'string' && /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/.test(o),
      )
    ) {
      report(`${path}.ous`, 'must be a list of OU ids (ou-xxxx-xxxxxxxx) or root ids (r-xxxx)');
    }
  }
}

export function accountList(value: unknown, path: string, report: Report): void {
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'string' && /^\d{12}$/.test(a))) {
    report(path, 'must be a list of 12-digit account ids (quote them in YAML)');
  }
}

function fieldList(value: unknown, path: string, report: Report, required: boolean): void {
  if (value === undefined) {
    if (required) report(path, 'is required: a list of field names');
    return;
  }
  if (
    !Array.isArray(value) ||
    (required && value.length === 0) ||
    !value.every((f) => typeof f === 'string' && f !== '')
  ) {
    report(path, 'must be a list of field names');
  }
}

function duration(value: unknown, path: string, report: Report, maxMs: number): void {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) return report(path, 'must be a duration like 90s, 5m, 1h or 30d');
  if (ms > maxMs) report(path, `must be at most ${formatDuration(maxMs)}`);
}

function forbid(value: Record<string, unknown>, keys: readonly string[], kind: string, report: Report): void {
  for (const key of keys) if (key in value) report(key, `not used by a ${kind} rule`);
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1_000}s`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `10.0.0.0/8` or `::/0` → the address as a bigint, its width and the prefix length. */
export function parseCidr(
  text: string,
): { readonly bits: bigint; readonly width: 32 | 128; readonly prefix: number } | undefined {
  const [address, prefixText, ...rest] = text.split('/');
  if (address === undefined || rest.length > 0) return undefined;
  const parsed = parseIp(address);
  if (!parsed) return undefined;
  const prefix = prefixText === undefined ? parsed.width : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > parsed.width ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  ) {
    return undefined;
  }
  return { bits: parsed.bits, width: parsed.width, prefix };
}

/** An IPv4 or IPv6 address as a bigint. */
export function parseIp(text: string): { readonly bits: bigint; readonly width: 32 | 128 } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { bits: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), width: 32 };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined): string[] | undefined => {
    if (part === undefined || part === '') return [];
    const out = part.split(':');
    const last = out[out.length - 1] as string;
    if (last.includes('.')) {
      const v4 = parseIp(last);
      if (!v4 || v4.width !== 32) return undefined;
      out.splice(-1, 1, ((v4.bits >> 16n) & 0xffffn).toString(16), (v4.bits & 0xffffn).toString(16));
    }
    return out.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? out : undefined;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return { bits: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
}
