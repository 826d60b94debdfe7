import { createHash } from 'node:crypto';
import type { LogDocument } from '@central-logging/log-schema';
import type { Alert, Destinations, Evidence } from './alert.ts';
import { fieldReader, firstText, type FieldReader } from './rules/fields.ts';
import { compilePredicate, type Test } from './rules/predicate.ts';
import {
  METRIC_LIMITS,
  parseDuration,
  type MetricRule,
  type Rule,
  type RuleOverride,
  type Scope,
  type TenantsConfig,
} from './rules/schema.ts';

export const DEFAULT_TENANT = 'default';

interface Field {
  readonly field: string;
  readonly read: FieldReader;
}

/** A rule made ready for one tenant: overrides applied, everything parsed and compiled once. */
interface CompiledRule {
  readonly rule: Rule;
  readonly tenant: string;
  readonly test: Test;
  readonly inScope: (account: string | undefined) => boolean;
  readonly evidence: readonly Field[];
  /** groupBy (threshold, metric), dedup.by (match), entity (new_value). */
  readonly group: readonly Field[];
  readonly values: readonly Field[];
  readonly metric?: { readonly read: FieldReader; readonly past: (value: number) => boolean };
  readonly windowMs?: number;
  readonly count?: number;
  readonly rememberMs?: number;
}

/** A threshold rule's tally for one group and window, from this batch. */
export interface WindowObservation {
  /** Also the alert key once the window fires. */
  readonly key: string;
  readonly ruleId: string;
  readonly count: number;
  readonly windowEnd: number;
  /** Distinct event ids seen in this batch (at most `count`: enough to fire). */
  readonly eventIds: Set<string>;
  /** The alert to raise if the window's total reaches `count` (its count is filled in then). */
  readonly alert: Alert;
}

/** A new-value rule's (entity, value) pair seen in this batch. */
export interface NewValueObservation {
  readonly key: string;
  readonly rememberMs: number;
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
  private readonly byTenant = new Map<string, Map<string, CompiledRule[]>>();
  private readonly tenantOfAccount = new Map<string, string>();
  private readonly forwarders: ReadonlySet<string>;
  private readonly destinations = new Map<string, Destinations>();
  private readonly indexPrefix: string;

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
    const alerts = new Map<string, Alert>();
    const windows = new Map<string, WindowObservation>();
    const newValues = new Map<string, NewValueObservation>();

    for (const document of documents) {
      const dataset = document.event?.dataset;
      if (dataset === undefined) continue;
      const account = this.accountOf(document);
      const tenant = this.tenantOf(account);
      const rules = this.byTenant.get(tenant)?.get(dataset);
      if (rules === undefined) continue;
      for (const compiled of rules) {
        if (!compiled.inScope(account) || !compiled.test(document)) continue;
        const { rule } = compiled;
        if (rule.kind === 'metric') {
          const m = compiled.metric;
          const values = m?.read(document) ?? [];
          const over = values.some((v) => {
            const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
            return Number.isFinite(n) && m !== undefined && m.past(n);
          });
          if (!over) continue;
        }
        const time = Date.parse(document['@timestamp']);
        if (!Number.isFinite(time)) continue;
        const group = groupValues(compiled.group, document);
        if (group === undefined) continue; // a group-by field is missing: the rule cannot key it
        findings.matches++;

        if (rule.kind === 'threshold') {
          const windowMs = compiled.windowMs as number;
          const start = Math.floor(time / windowMs) * windowMs;
          const key = alertKey(rule.id, tenant, group, start);
          let observation = windows.get(key);
          if (!observation) {
            observation = {
              key,
              ruleId: rule.id,
              count: compiled.count as number,
              windowEnd: start + windowMs,
              eventIds: new Set(),
              alert: this.alert(compiled, document, account, group, key, { start, end: start + windowMs }),
            };
            windows.set(key, observation);
          }
          if (observation.eventIds.size < observation.count) observation.eventIds.add(document.event.id);
        } else if (rule.kind === 'new_value') {
          const value = groupValues(compiled.values, document);
          if (value === undefined) continue;
          const key = alertKey(rule.id, tenant, [...group.values, '→', ...value.values], undefined);
          if (!newValues.has(key)) {
            const merged = {
              fields: [...group.fields, ...value.fields],
              values: [...group.values, ...value.values],
            };
            newValues.set(key, {
              key,
              rememberMs: compiled.rememberMs as number,
              alert: this.alert(compiled, document, account, merged, key, undefined),
            });
          }
        } else {
          const windowMs = compiled.windowMs;
          const start = windowMs === undefined ? undefined : Math.floor(time / windowMs) * windowMs;
          const key = alertKey(rule.id, tenant, group, start);
          const existing = alerts.get(key);
          if (existing) {
            alerts.set(key, {
              ...existing,
              count: existing.count + 1,
              eventIds:
                existing.eventIds.length < 10 ? [...existing.eventIds, document.event.id] : existing.eventIds,
            });
          } else {
            const window = start === undefined ? undefined : { start, end: start + (windowMs as number) };
            alerts.set(key, this.alert(compiled, document, account, group, key, window));
          }
        }
      }
    }
    findings.alerts.push(...alerts.values());
    findings.windows.push(...windows.values());
    findings.newValues.push(...newValues.values());
    return findings;
  }

  private alert(
    compiled: CompiledRule,
    document: LogDocument,
    account: string | undefined,
    group: { fields: readonly string[]; values: readonly string[] },
    key: string,
    window: { start: number; end: number } | undefined,
  ): Alert {
    const { rule } = compiled;
    const evidence: Evidence[] = [];
    for (const { field, read } of compiled.evidence) {
      const value = firstText(read, document);
      if (value !== undefined) evidence.push({ field, value });
    }
    const dataset = document.event.dataset;
    const grouped = rule.kind !== 'match' || group.fields.some((f) => f !== 'event.id');
    const terms = grouped
      ? group.fields.map((f, i) => `${f}:${dqlString(group.values[i] ?? '')}`)
      : [`event.id:${dqlString(document.event.id)}`];
    return {
      key,
      ruleId: rule.id,
      title: rule.title,
      description: rule.description,
      severity: rule.severity,
      tenant: compiled.tenant,
      account,
      region: document.cloud?.region,
      dataset,
      time: document['@timestamp'],
      window: window && {
        start: new Date(window.start).toISOString(),
        end: new Date(window.end).toISOString(),
      },
      count: 1,
      group:
        rule.kind === 'match' && !grouped
          ? undefined
          : Object.fromEntries(group.fields.map((f, i) => [f, group.values[i] ?? ''])),
      evidence,
      eventIds: [document.event.id],
      query: [`event.dataset:${dqlString(dataset)}`, ...terms].join(' and '),
      indexPattern: `${this.indexPrefix}-${dataset}-*`,
    };
  }

  private compileAll(
    tenant: string,
    overrides: Readonly<Record<string, RuleOverride>>,
    ousOf: Readonly<Record<string, readonly string[]>>,
  ): Map<string, CompiledRule[]> {
    const byDataset = new Map<string, CompiledRule[]>();
    for (const base of this.rules) {
      const rule = applyOverride(base, overrides[base.id]);
      if (rule.enabled === false) continue;
      const compiled = compileRule(rule, tenant, ousOf);
      for (const dataset of rule.datasets) {
        const list = byDataset.get(dataset) ?? [];
        list.push(compiled);
        byDataset.set(dataset, list);
      }
    }
    return byDataset;
  }
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

const fields = (names: readonly string[] | undefined): Field[] =>
  (names ?? []).map((field) => ({ field, read: fieldReader(field) }));

function compileRule(
  rule: Rule,
  tenant: string,
  ousOf: Readonly<Record<string, readonly string[]>>,
): CompiledRule {
  const base = {
    rule,
    tenant,
    test: compilePredicate(rule.where),
    inScope: compileScope(rule.scope, ousOf),
    evidence: fields(rule.evidence ?? defaultEvidence(rule)),
    values: [] as Field[],
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
        metric: { read: fieldReader(rule.field), past: limitTest(rule) },
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

function limitTest(rule: MetricRule): (value: number) => boolean {
  const { above, atLeast, below, atMost } = rule;
  if (above !== undefined) return (n) => n > above;
  if (atLeast !== undefined) return (n) => n >= atLeast;
  if (below !== undefined) return (n) => n < below;
  if (atMost !== undefined) return (n) => n <= atMost;
  return () => false;
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

function groupValues(
  group: readonly Field[],
  document: LogDocument,
): { fields: string[]; values: string[] } | undefined {
  const values: string[] = [];
  for (const { read } of group) {
    const value = firstText(read, document);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return { fields: group.map((g) => g.field), values };
}

/** `<rule>|<tenant>|<group>|<window start>`; long groups hashed to keep DynamoDB keys small. */
export function alertKey(
  ruleId: string,
  tenant: string,
  group: { values: readonly string[] } | readonly string[],
  windowStart: number | undefined,
): string {
  const values = Array.isArray(group) ? group : (group as { values: readonly string[] }).values;
  let joined = values.join('\u241f');
  if (joined.length > 256) joined = `sha256:${createHash('sha256').update(joined).digest('base64url')}`;
  const window = windowStart === undefined ? '' : new Date(windowStart).toISOString();
  return `${ruleId}|${tenant}|${joined}|${window}`;
}

/** A DQL quoted string. */
export function dqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
