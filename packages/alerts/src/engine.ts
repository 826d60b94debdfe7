import { createHash } from 'node:crypto';
import type { LogDocument } from '@central-logging/log-schema';
import { shortId, type Alert, type Destinations, type Evidence } from './alert.ts';
import { fieldReader, fieldTest, firstTextReader, type FieldReader } from './rules/fields.ts';
import { compilePredicate, type Test } from './rules/predicate.ts';
import { truncate, wellFormed } from './notify/text.ts';
import {
  METRIC_LIMITS,
  parseDuration,
  type MetricRule,
  type Predicate,
  type Rule,
  type RuleOverride,
  type Scope,
  type TenantsConfig,
} from './rules/schema.ts';

/** Evidence values are cut to Slack's limit for a field; the whole event is a click away. */
const MAX_EVIDENCE_CHARS = 2_000;
/** Group values (and the account) beyond this are shown cut, and the link searches by event. */
const MAX_GROUP_VALUE_CHARS = 1_000;

export const DEFAULT_TENANT = 'default';

interface Field {
  readonly field: string;
  readonly read: FieldReader;
  readonly first: (document: unknown) => string | undefined;
}

/** A rule made ready for one tenant: overrides applied, everything parsed and compiled once. */
interface CompiledRule {
  readonly rule: Rule;
  readonly tenant: string;
  readonly test: Test;
  readonly inScope: (account: string | undefined) => boolean;
  readonly scoped: boolean;
  readonly evidence: FieldList;
  /** groupBy (threshold, metric), dedup.by (match), entity (new_value). */
  readonly group: FieldList;
  readonly values: FieldList;
  /** A metric rule's limit, as a test of the document's field. */
  readonly metric?: (document: unknown) => boolean;
  readonly windowMs?: number;
  readonly count?: number;
  readonly rememberMs?: number;
}

/** A threshold rule's tally for one group and window, from this batch. */
export class WindowObservation {
  /**
   * Distinct event ids seen in this batch (at most `count`: enough to fire). Most windows of a
   * batch see one event, so the first id is kept as a string and a Set made only for a second.
   */
  private ids: string | Set<string>;

  constructor(
    /** Also the alert key once the window fires. */
    readonly key: string,
    readonly ruleId: string,
    readonly count: number,
    readonly windowStart: number,
    readonly windowEnd: number,
    firstEventId: string,
    // The window's first event, from which its alert is built if it fires.
    private readonly engine: RuleEngine,
    private readonly compiled: CompiledRule,
    private readonly document: LogDocument,
    /** null: not read yet (the account is read only if the window fires). */
    private readonly account: string | undefined | null,
    private readonly group: GroupValues,
  ) {
    this.ids = firstEventId;
  }

  /** Counts one more event of the window (the same id twice counts once). */
  add(eventId: string): void {
    const ids = this.ids;
    if (typeof ids === 'string') {
      if (eventId !== ids && this.count > 1) this.ids = new Set([ids, eventId]);
    } else if (ids.size < this.count) {
      ids.add(eventId);
    }
  }

  get eventIds(): ReadonlySet<string> {
    return typeof this.ids === 'string' ? new Set([this.ids]) : this.ids;
  }

  /**
   * The alert to raise if the window's total reaches `count` (its count is filled in then). Built
   * on demand from the window's first event: most windows never fire, and a batch opens thousands.
   */
  alert(): Alert {
    const account = this.account === null ? this.engine.accountOf(this.document) : this.account;
    return this.engine.buildAlert(this.compiled, this.document, account, this.group, this.key, {
      start: this.windowStart,
      end: this.windowEnd,
    });
  }
}

/** A new-value rule's (entity, value) pair seen in this batch. */
export interface NewValueObservation {
  /** The pair: `<rule>|<tenant>|<entity → value>|`, remembered for `rememberMs`. */
  readonly key: string;
  readonly rememberMs: number;
  /** The event that showed the pair first in this batch ({@link shortId}); the store keeps it with the pair. */
  readonly firstEvent: string;
  /** Its alert. The key adds the first event, so the pair alerts again once forgotten. */
  readonly alert: Alert;
}

export interface Findings {
  /** Match and metric alerts, one per alert key. */
  readonly alerts: Alert[];
  readonly windows: WindowObservation[];
  readonly newValues: NewValueObservation[];
  /** Rule evaluations that matched, for metrics. */
  matches: number;
}

export interface EngineOptions {
  /** Index prefix of the links (`logs` → `logs-aws.cloudtrail-*`). */
  readonly indexPrefix?: string;
}

/**
 * The rule engine: documents in, findings out; pure and synchronous, no I/O. Rules are indexed by
 * tenant and dataset at construction, so a document meets only the rules that can read it.
 */
export class RuleEngine {
  private readonly byTenant = new Map<string, Map<string, RuleIndex>>();
  private readonly tenantOfAccount = new Map<string, string>();
  private readonly forwarders: ReadonlySet<string>;
  private readonly destinations = new Map<string, Destinations>();
  private readonly indexPrefix: string;
  /** Whether any account belongs to a tenant other than the default one. */
  private readonly multiTenant: boolean;
  private readonly defaultRules: Map<string, RuleIndex>;

  constructor(
    readonly rules: readonly Rule[],
    readonly tenants: TenantsConfig = {},
    options: EngineOptions = {},
  ) {
    this.indexPrefix = options.indexPrefix ?? 'logs';
    this.forwarders = new Set(tenants.forwarders ?? []);
    const ousOf = tenants.organization?.accounts ?? {};
    this.byTenant.set(DEFAULT_TENANT, this.compileAll(DEFAULT_TENANT, {}, ousOf));
    if (tenants.default?.destinations) this.destinations.set(DEFAULT_TENANT, tenants.default.destinations);
    for (const tenant of tenants.tenants ?? []) {
      this.byTenant.set(tenant.id, this.compileAll(tenant.id, tenant.overrides ?? {}, ousOf));
      if (tenant.destinations) this.destinations.set(tenant.id, tenant.destinations);
      for (const account of tenant.accounts ?? []) {
        if (!this.tenantOfAccount.has(account)) this.tenantOfAccount.set(account, tenant.id);
      }
    }
    // OU membership, resolved once: the first tenant (in file order) naming one of the account's OUs.
    for (const [account, ous] of Object.entries(ousOf)) {
      if (this.tenantOfAccount.has(account)) continue;
      const tenant = (tenants.tenants ?? []).find((t) => t.ous?.some((ou) => ous.includes(ou)));
      if (tenant) this.tenantOfAccount.set(account, tenant.id);
    }
    this.multiTenant = this.tenantOfAccount.size > 0;
    this.defaultRules = this.byTenant.get(DEFAULT_TENANT) as Map<string, RuleIndex>;
  }

  /** Where a tenant's alerts go (the default tenant's destinations when it has none). */
  destinationsOf(tenant: string): Destinations {
    return this.destinations.get(tenant) ?? this.destinations.get(DEFAULT_TENANT) ?? {};
  }

  /**
   * The account an event is about. CloudWatch Logs sets the owner and a sender cannot forge it;
   * only in a forwarder's log groups (the organization trail) does the event's own account count.
   */
  accountOf(document: LogDocument): string | undefined {
    const owner = document.aws?.cloudwatch?.owner;
    if (owner !== undefined && !this.forwarders.has(owner)) return owner;
    return document.cloud?.account?.id ?? owner;
  }

  tenantOf(account: string | undefined): string {
    return (account !== undefined ? this.tenantOfAccount.get(account) : undefined) ?? DEFAULT_TENANT;
  }

  evaluate(documents: readonly LogDocument[]): Findings {
    const findings: Findings = { alerts: [], windows: [], newValues: [], matches: 0 };
    // Mutable while the batch is read; handed out as plain alerts. Each entity is also pushed to
    // its findings list when created, so the lists keep the order events arrived in.
    const alerts = new BatchTable<MutableAlert>();
    const windows = new BatchTable<WindowObservation>();
    const newValues = new BatchTable<NewValueObservation>();
    let lastDataset: string | undefined;
    let lastTenant: string | undefined;
    let lastIndex: RuleIndex | undefined;

    for (const document of documents) {
      const event = document.event;
      if (event === undefined || event === null) continue;
      // Documents come in many shapes, so every property read here is a slow (megamorphic) one:
      // with one tenant, the account is read only for the documents that match.
      let account: string | undefined | null = null;
      let tenant = DEFAULT_TENANT;
      if (this.multiTenant) {
        account = this.accountOf(document);
        tenant = this.tenantOf(account);
      }
      // A batch is mostly one dataset and one tenant: look the rules up only when either changes.
      const dataset = event.dataset;
      if (dataset !== lastDataset || tenant !== lastTenant) {
        lastDataset = dataset;
        lastTenant = tenant;
        lastIndex = (this.multiTenant ? this.byTenant.get(tenant) : this.defaultRules)?.get(dataset);
      }
      const index = lastIndex;
      if (index === undefined) continue;
      const action = event.action;
      const forAction = action === undefined ? undefined : index.byAction.get(action);
      const rules = forAction === undefined ? index.anyAction : forAction;
      for (const compiled of rules) {
        if (compiled.scoped) {
          if (account === null) account = this.accountOf(document);
          if (!compiled.inScope(account)) continue;
        }
        if (!compiled.test(document)) continue;
        const { rule } = compiled;
        if (compiled.metric !== undefined && !compiled.metric(document)) continue;
        // Event time places the match in its window; a match keyed per event needs none.
        const time = compiled.windowMs === undefined ? 0 : epochMillis(document['@timestamp']);
        if (!Number.isFinite(time)) continue;
        const group = groupValues(compiled.group, document);
        if (group === undefined) continue; // a group-by field is missing: the rule cannot key it
        findings.matches++;

        if (rule.kind === 'threshold') {
          const windowMs = compiled.windowMs as number;
          const start = Math.floor(time / windowMs) * windowMs;
          const joined = joinGroup(group.values);
          const observation = windows.get(compiled, start, joined);
          if (observation === undefined) {
            // The account is read only if the window fires (null until then).
            const created = new WindowObservation(
              keyOf(rule.id, tenant, joined, start),
              rule.id,
              compiled.count as number,
              start,
              start + windowMs,
              document.event.id,
              this,
              compiled,
              document,
              account,
              group,
            );
            windows.set(compiled, start, joined, created);
            findings.windows.push(created);
          } else {
            observation.add(document.event.id);
          }
        } else if (rule.kind === 'new_value') {
          const value = groupValues(compiled.values, document);
          if (value === undefined) continue;
          const joined = joinGroup([...group.values, '→', ...value.values]);
          if (newValues.get(compiled, undefined, joined) === undefined) {
            if (account === null) account = this.accountOf(document);
            const merged = {
              fields: [...group.fields, ...value.fields],
              values: [...group.values, ...value.values],
            };
            const key = keyOf(rule.id, tenant, joined, undefined);
            // The key ends in the first event: a pair forgotten and seen again is a new alert,
            // while a redelivered or replayed batch gives the same key, which the store claims once.
            const firstEvent = shortId(document.event.id);
            const created = {
              key,
              rememberMs: compiled.rememberMs as number,
              firstEvent,
              alert: this.buildAlert(
                compiled,
                document,
                account,
                merged,
                `${key}first:${firstEvent}`,
                undefined,
              ),
            };
            newValues.set(compiled, undefined, joined, created);
            findings.newValues.push(created);
          }
        } else {
          const windowMs = compiled.windowMs;
          const start = windowMs === undefined ? undefined : Math.floor(time / windowMs) * windowMs;
          const joined = joinGroup(group.values);
          const existing = alerts.get(compiled, start, joined);
          if (existing) {
            // Later events of the same alert: counted, and a few ids kept as samples.
            existing.count++;
            if (existing.eventIds.length < 10) existing.eventIds.push(document.event.id);
          } else {
            if (account === null) account = this.accountOf(document);
            const window = start === undefined ? undefined : { start, end: start + (windowMs as number) };
            const key = keyOf(rule.id, tenant, joined, start);
            const created = this.buildAlert(compiled, document, account, group, key, window) as MutableAlert;
            alerts.set(compiled, start, joined, created);
            findings.alerts.push(created);
          }
        }
      }
    }
    return findings;
  }

  /** @internal The alert for `document` under `compiled` (WindowObservation builds its own late). */
  buildAlert(
    compiled: CompiledRule,
    document: LogDocument,
    account: string | undefined,
    group: GroupValues,
    key: string,
    window: { start: number; end: number } | undefined,
  ): Alert {
    const { rule } = compiled;
    // Everything taken from the document is made well-formed and bounded here, once: the alert is
    // stored in one DynamoDB item (at most 400 KB) and rendered for SNS and Slack, and a 1 MB log
    // line or a lone surrogate in a field must not make it unstorable or unsendable.
    const evidence: Evidence[] = [];
    for (const { field, first } of compiled.evidence) {
      const value = first(document);
      if (value !== undefined)
        evidence.push({ field, value: truncate(wellFormed(value), MAX_EVIDENCE_CHARS) });
    }
    const dataset = document.event.dataset;
    const grouped = rule.kind !== 'match' || group.fields.some((f) => f !== 'event.id');
    const byEvent = () => `${datasetQuery(dataset)} and event.id:${dqlString(document.event.id)}`;
    let query: string;
    let groupRecord: Record<string, string> | undefined;
    if (grouped) {
      groupRecord = {};
      let groupQuery: string | undefined = datasetQuery(dataset);
      for (let i = 0; i < group.fields.length; i++) {
        const field = group.fields[i] as string;
        const value = wellFormed(group.values[i] ?? '');
        groupRecord[field] = truncate(value, MAX_GROUP_VALUE_CHARS);
        // A value too long to show whole cannot be searched for either: the link finds the event.
        if (groupQuery !== undefined && value.length <= MAX_GROUP_VALUE_CHARS)
          groupQuery += ` and ${field}:${dqlString(value)}`;
        else groupQuery = undefined;
      }
      query = groupQuery ?? byEvent();
    } else {
      query = byEvent();
    }
    return {
      key,
      ruleId: rule.id,
      title: rule.title,
      description: rule.description,
      severity: rule.severity,
      tenant: compiled.tenant,
      account: account === undefined ? undefined : truncate(wellFormed(account), MAX_GROUP_VALUE_CHARS),
      region:
        document.cloud?.region === undefined ? undefined : truncate(wellFormed(document.cloud.region), 64),
      dataset,
      time: document['@timestamp'],
      window: window && { start: isoOf(window.start), end: isoOf(window.end) },
      count: 1,
      group: groupRecord,
      evidence,
      eventIds: [document.event.id],
      query,
      indexPattern: `${this.indexPrefix}-${dataset}-*`,
    };
  }

  private compileAll(
    tenant: string,
    overrides: Readonly<Record<string, RuleOverride>>,
    ousOf: Readonly<Record<string, readonly string[]>>,
  ): Map<string, RuleIndex> {
    const byDataset = new Map<string, RuleIndex>();
    for (const base of this.rules) {
      const rule = applyOverride(base, overrides[base.id]);
      if (rule.enabled === false) continue;
      const { actions, rest } = requiredActions(rule.where);
      const compiled = compileRule(rule, tenant, ousOf, rest);
      for (const dataset of rule.datasets) {
        const index: RuleIndex = byDataset.get(dataset) ?? { byAction: new Map(), anyAction: [] };
        if (actions === undefined) {
          // Rules that read any action run for every document, whatever its action's list.
          index.anyAction.push(compiled);
          for (const list of index.byAction.values()) list.push(compiled);
        } else {
          for (const action of actions) {
            const list = index.byAction.get(action) ?? [...index.anyAction];
            list.push(compiled);
            index.byAction.set(action, list);
          }
        }
        byDataset.set(dataset, index);
      }
    }
    return byDataset;
  }
}

/**
 * A dataset's rules, indexed by the `event.action` values they require: most CloudTrail rules
 * name their API calls, so an event meets only the rules that could match it.
 */
interface RuleIndex {
  readonly byAction: Map<string, CompiledRule[]>;
  /** Rules with no action requirement (also included in every `byAction` list). */
  readonly anyAction: CompiledRule[];
}

/**
 * The `event.action` values a predicate requires at its top (`equals`/`in`, case-sensitive), and
 * the rest of the predicate: the index checks the action, so the test need not read it again.
 */
function requiredActions(where: Predicate | undefined): { actions?: readonly string[]; rest?: Predicate } {
  const conditions = where === undefined ? [] : 'all' in where ? where.all : [where];
  for (const c of conditions) {
    if (!('field' in c) || c.field !== 'event.action' || c.ignoreCase === true) continue;
    if (Object.keys(c).some((k) => k !== 'field' && k !== 'equals' && k !== 'in')) continue;
    const actions =
      c.equals !== undefined ? [String(c.equals)] : c.in !== undefined ? c.in.map(String) : undefined;
    if (actions === undefined) continue;
    const others = conditions.filter((o) => o !== c);
    const rest = others.length === 0 ? undefined : others.length === 1 ? others[0] : { all: others };
    return { actions, ...(rest === undefined ? {} : { rest }) };
  }
  return where === undefined ? {} : { rest: where };
}

function applyOverride(rule: Rule, override: RuleOverride | undefined): Rule {
  if (!override) return rule;
  const { enabled, severity, scope, count, limit, window } = override;
  const merged: Record<string, unknown> = { ...rule };
  if (enabled !== undefined) merged.enabled = enabled;
  if (severity !== undefined) merged.severity = severity;
  if (scope !== undefined) merged.scope = scope;
  if (count !== undefined && rule.kind === 'threshold') merged.count = count;
  if (limit !== undefined && rule.kind === 'metric') {
    for (const k of METRIC_LIMITS) if (rule[k] !== undefined) merged[k] = limit;
  }
  if (window !== undefined && (rule.kind === 'threshold' || rule.kind === 'metric')) merged.window = window;
  return merged as unknown as Rule;
}

/** Compiled fields, with their names at hand for alerts. */
type FieldList = readonly Field[] & { readonly names: readonly string[] };

function fields(names: readonly string[] | undefined): FieldList {
  const list = (names ?? []).map((field) => ({
    field,
    read: fieldReader(field),
    first: firstTextReader(field),
  }));
  return Object.assign(list, { names: list.map((f) => f.field) });
}

function compileRule(
  rule: Rule,
  tenant: string,
  ousOf: Readonly<Record<string, readonly string[]>>,
  /** The rule's `where`, less what the action index already checks. */
  where: Predicate | undefined,
): CompiledRule {
  const base = {
    rule,
    tenant,
    test: compilePredicate(where),
    inScope: compileScope(rule.scope, ousOf),
    scoped: rule.scope !== undefined && (rule.scope.accounts !== undefined || rule.scope.ous !== undefined),
    evidence: fields(rule.evidence ?? defaultEvidence(rule)),
    values: fields([]),
  };
  switch (rule.kind) {
    case 'match': {
      const windowMs = rule.dedup?.window === undefined ? undefined : parseDuration(rule.dedup.window);
      return { ...base, group: fields(rule.dedup?.by ?? ['event.id']), ...(windowMs ? { windowMs } : {}) };
    }
    case 'metric':
      return {
        ...base,
        group: fields(rule.groupBy),
        windowMs: parseDuration(rule.window) as number,
        metric: metricTest(rule),
      };
    case 'threshold':
      return {
        ...base,
        group: fields(rule.groupBy),
        windowMs: parseDuration(rule.window) as number,
        count: rule.count,
      };
    case 'new_value':
      return {
        ...base,
        group: fields(rule.entity),
        values: fields(rule.value),
        rememberMs: parseDuration(rule.remember) as number,
      };
  }
}

function metricTest(rule: MetricRule): (document: unknown) => boolean {
  const { above, atLeast, below, atMost } = rule;
  const past: (n: number) => boolean =
    above !== undefined
      ? (n) => n > above
      : atLeast !== undefined
        ? (n) => n >= atLeast
        : below !== undefined
          ? (n) => n < below
          : atMost !== undefined
            ? (n) => n <= atMost
            : () => false;
  return fieldTest(rule.field, (v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) && past(n);
  });
}

function defaultEvidence(rule: Rule): string[] {
  const grouping =
    rule.kind === 'threshold' || rule.kind === 'metric'
      ? [...(rule.groupBy ?? [])]
      : rule.kind === 'new_value'
        ? [...rule.entity, ...rule.value]
        : [];
  const extra = rule.kind === 'metric' ? [rule.field] : [];
  return [...new Set([...grouping, ...extra, 'event.action', 'user.name', 'source.ip', 'message'])];
}

function compileScope(scope: Scope | undefined, ousOf: Readonly<Record<string, readonly string[]>>) {
  if (!scope || (!scope.accounts && !scope.ous)) return () => true;
  const accounts = new Set(scope.accounts ?? []);
  const ous = new Set(scope.ous ?? []);
  return (account: string | undefined): boolean => {
    if (account === undefined) return false;
    if (accounts.has(account)) return true;
    return (ousOf[account] ?? []).some((ou) => ous.has(ou));
  };
}

/** The fields' first values as text, or undefined if one is missing. */
function groupValues(group: FieldList, document: LogDocument): GroupValues | undefined {
  const values = new Array<string>(group.length);
  for (let i = 0; i < group.length; i++) {
    const value = (group[i] as Field).first(document);
    if (value === undefined) return undefined;
    values[i] = value;
  }
  return { fields: group.names, values };
}

/**
 * `<rule>|<tenant>|<group>|<window start, epoch ms>` (new values: `<rule>|<tenant>|<group>|first:<event>`);
 * long groups hashed to keep DynamoDB keys small.
 */
export function alertKey(
  ruleId: string,
  tenant: string,
  group: { values: readonly string[] } | readonly string[],
  windowStart: number | undefined,
): string {
  const values = Array.isArray(group) ? group : (group as { values: readonly string[] }).values;
  return keyOf(ruleId, tenant, joinGroup(values), windowStart);
}

const joinGroup = (values: readonly string[]): string =>
  values.length === 1 ? (values[0] as string) : values.join('\u241f');

function keyOf(ruleId: string, tenant: string, joined: string, windowStart: number | undefined): string {
  const group =
    joined.length > 256 ? `sha256:${createHash('sha256').update(joined).digest('base64url')}` : joined;
  return `${ruleId}|${tenant}|${group}|${windowStart ?? ''}`;
}

/**
 * A batch's alerts, windows or new values, by rule, window start and group: the parts of the
 * alert key, looked up one by one. Looking up the key itself meant building a fresh string for
 * every matching event, which V8 must flatten and hash each time; a single group value is a string
 * the document already holds, and V8 keeps its hash. A batch spans a few windows, so the maps by
 * start are few. A compiled rule belongs to one tenant, so the rule also stands for the tenant.
 */
class BatchTable<T> {
  private readonly byRule = new Map<CompiledRule, Map<number | undefined, Map<string, T>>>();

  get(rule: CompiledRule, start: number | undefined, group: string): T | undefined {
    return this.byRule.get(rule)?.get(start)?.get(group);
  }

  set(rule: CompiledRule, start: number | undefined, group: string, value: T): void {
    let starts = this.byRule.get(rule);
    if (starts === undefined) this.byRule.set(rule, (starts = new Map()));
    let groups = starts.get(start);
    if (groups === undefined) starts.set(start, (groups = new Map()));
    groups.set(group, value);
  }
}

/**
 * `@timestamp` in epoch ms. The decoder writes `YYYY-MM-DDTHH:MM:SS.sssZ`, read here digit by digit
 * (several times faster than Date.parse, which stays the fallback for any other form).
 */
export function epochMillis(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */) {
    return Date.parse(iso);
  }
  // Straight-line digit reads (no helper closure per call); any non-digit sets `bad`.
  const d0 = iso.charCodeAt(0) - 48;
  const d1 = iso.charCodeAt(1) - 48;
  const d2 = iso.charCodeAt(2) - 48;
  const d3 = iso.charCodeAt(3) - 48;
  const m0 = iso.charCodeAt(5) - 48;
  const m1 = iso.charCodeAt(6) - 48;
  const D0 = iso.charCodeAt(8) - 48;
  const D1 = iso.charCodeAt(9) - 48;
  const h0 = iso.charCodeAt(11) - 48;
  const h1 = iso.charCodeAt(12) - 48;
  const i0 = iso.charCodeAt(14) - 48;
  const i1 = iso.charCodeAt(15) - 48;
  const s0 = iso.charCodeAt(17) - 48;
  const s1 = iso.charCodeAt(18) - 48;
  const f0 = iso.charCodeAt(20) - 48;
  const f1 = iso.charCodeAt(21) - 48;
  const f2 = iso.charCodeAt(22) - 48;
  const bad = (d0 | d1 | d2 | d3 | m0 | m1 | D0 | D1 | h0 | h1 | i0 | i1 | s0 | s1 | f0 | f1 | f2) & ~15;
  const month = m0 * 10 + m1;
  const day = D0 * 10 + D1;
  const hour = h0 * 10 + h1;
  const minute = i0 * 10 + i1;
  const second = s0 * 10 + s1;
  // A non-digit, or out of range (month 13, second 60, …): Date.UTC would roll over where
  // Date.parse refuses, so Date.parse decides.
  if (
    bad !== 0 ||
    d0 > 9 ||
    d1 > 9 ||
    d2 > 9 ||
    d3 > 9 ||
    m1 > 9 ||
    D1 > 9 ||
    h1 > 9 ||
    i1 > 9 ||
    s1 > 9 ||
    f0 > 9 ||
    f1 > 9 ||
    f2 > 9 ||
    !(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)
  ) {
    return Date.parse(iso);
  }
  const year = d0 * 1000 + d1 * 100 + d2 * 10 + d3;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, f0 * 100 + f1 * 10 + f2);
  return Number.isNaN(ms) ? Date.parse(iso) : ms;
}

/** `event.dataset:"<dataset>"`: a handful of datasets, formatted once each. */
const datasetQueries = new Map<string, string>();
function datasetQuery(dataset: string): string {
  let query = datasetQueries.get(dataset);
  if (query === undefined) {
    query = `event.dataset:${dqlString(dataset)}`;
    if (datasetQueries.size < 1_000) datasetQueries.set(dataset, query);
  }
  return query;
}

/** A DQL quoted string. */
export function dqlString(value: string): string {
  if (!value.includes('"') && !value.includes('\\')) return `"${value}"`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Window bounds repeat across a batch's alerts: formatted once each. */
const isoCache = new Map<number, string>();
function isoOf(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size > 10_000) isoCache.clear();
    iso = new Date(ms).toISOString();
    isoCache.set(ms, iso);
  }
  return iso;
}

/** A match's group-by (or dedup, or entity) fields and their values. */
interface GroupValues {
  readonly fields: readonly string[];
  readonly values: readonly string[];
}

/** An alert while its batch is read: later events add to its count and sample ids. */
type MutableAlert = Alert & { count: number; eventIds: string[] };
