import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import { SEVERITIES, type Severity } from '../alert.ts';
import {
  accountList,
  isObject,
  MAX_DEDUP_WINDOW_MS,
  MAX_WINDOW_MS,
  parseDuration,
  RuleConfigError,
  validateRule,
  validateScope,
  type ConfigProblem,
  type Rule,
  type TenantsConfig,
} from './schema.ts';

/** Parses YAML (or JSON, which is YAML) text, reporting syntax errors with their line. */
function parseText(file: string, text: string, problems: ConfigProblem[]): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const error of document.errors) {
    const line = error.linePos?.[0] ? `line ${error.linePos[0].line}` : 'syntax';
    const message = (error.message.split('\n')[0] ?? error.message).replace(
      / at line \d+, column \d+:?$/,
      '',
    );
    const column = error.linePos?.[0] ? `, column ${error.linePos[0].col}` : '';
    problems.push({ file, field: `${line}${column}`, message });
  }
  return document.errors.length > 0 ? undefined : document.toJS();
}

/** A rule file holds one rule, or `rules: [...]`. */
export function parseRuleFile(file: string, text: string): { rules: Rule[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const value = parseText(file, text, problems);
  if (value === undefined) return { rules: [], problems };
  const entries: unknown[] = isObject(value) && Array.isArray(value.rules) ? value.rules : [value];
  const rules: Rule[] = [];
  entries.forEach((entry, i) => {
    const ruleId = isObject(entry) && typeof entry.id === 'string' ? entry.id : undefined;
    const prefix = entries.length > 1 || (isObject(value) && 'rules' in value) ? `rules[${i}].` : '';
    const rule = validateRule(entry, (field, message) =>
      problems.push({ file, ruleId, field: `${prefix}${field}`.replace(/\.$/, '') || '(rule)', message }),
    );
    if (rule) rules.push(rule);
  });
  return { rules, problems };
}

/** Every `*.yaml`, `*.yml` and `*.json` file of `dir`, sorted by name. */
export function ruleFiles(dir: string): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => ({ file: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

/** Validates the tenants file against the loaded rules (overrides must name a rule and fit its kind). */
export function parseTenants(
  file: string,
  text: string,
  rules: readonly Rule[],
): { tenants: TenantsConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const report = (field: string, message: string) => problems.push({ file, field, message });
  const value = parseText(file, text, problems);
  if (value === undefined) return { tenants: {}, problems };
  if (!isObject(value)) {
    report('(file)', 'must be an object with `tenants`, `forwarders`, `organization`, `default`');
    return { tenants: {}, problems };
  }
  for (const key of Object.keys(value)) {
    if (!['tenants', 'forwarders', 'organization', 'default'].includes(key)) report(key, 'unknown property');
  }
  if (value.forwarders !== undefined) accountList(value.forwarders, 'forwarders', report);
  if (value.organization !== undefined) {
    const accounts = isObject(value.organization) ? value.organization.accounts : undefined;
    if (!isObject(accounts)) report('organization.accounts', 'must map account ids to their OU ids');
    else {
      for (const [account, ous] of Object.entries(accounts)) {
        if (!/^\d{12}$/.test(account))
          report(`organization.accounts.${account}`, 'must be a 12-digit account id');
        if (!Array.isArray(ous) || !ous.every((o) => typeof o === 'string')) {
          report(`organization.accounts.${account}`, 'must be a list of OU ids');
        }
      }
    }
  }
  if (value.default !== undefined) {
    if (!isObject(value.default)) report('default', 'must be an object with `destinations`');
    else destinations(value.default.destinations, 'default.destinations', report);
  }
  const byId = new Map(rules.map((r) => [r.id, r]));
  const seen = new Set<string>();
  if (value.tenants !== undefined && !Array.isArray(value.tenants)) report('tenants', 'must be a list');
  (Array.isArray(value.tenants) ? value.tenants : []).forEach((tenant: unknown, i): void => {
    const at = `tenants[${i}]`;
    if (!isObject(tenant)) {
      report(at, 'must be an object');
      return;
    }
    for (const key of Object.keys(tenant)) {
      if (!['id', 'accounts', 'ous', 'destinations', 'overrides'].includes(key))
        report(`${at}.${key}`, 'unknown property');
    }
    if (
      typeof tenant.id !== 'string' ||
      !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant.id) ||
      tenant.id === 'default'
    ) {
      report(`${at}.id`, 'must be lowercase letters, digits and dashes (and not "default")');
    } else if (seen.has(tenant.id)) report(`${at}.id`, `duplicate tenant ${tenant.id}`);
    else seen.add(tenant.id);
    if (tenant.accounts !== undefined) accountList(tenant.accounts, `${at}.accounts`, report);
    if (tenant.ous !== undefined) validateScope({ ous: tenant.ous }, at, report);
    if (tenant.accounts === undefined && tenant.ous === undefined)
      report(at, 'needs `accounts` and/or `ous`');
    destinations(tenant.destinations, `${at}.destinations`, report);
    if (tenant.overrides === undefined) return;
    if (!isObject(tenant.overrides)) {
      report(`${at}.overrides`, 'must map rule ids to overrides');
      return;
    }
    for (const [ruleId, override] of Object.entries(tenant.overrides)) {
      const where = `${at}.overrides.${ruleId}`;
      const rule = byId.get(ruleId);
      if (!rule) {
        report(where, 'no rule has this id');
        continue;
      }
      if (!isObject(override)) {
        report(where, 'must be an object');
        continue;
      }
      for (const [key, v] of Object.entries(override)) {
        const bad = (message: string) => report(`${where}.${key}`, message);
        if (key === 'enabled') {
          if (typeof v !== 'boolean') bad('must be true or false');
        } else if (key === 'severity') {
          if (!SEVERITIES.includes(v as Severity)) bad(`must be one of ${SEVERITIES.join(', ')}`);
        } else if (key === 'count') {
          if (rule.kind !== 'threshold') bad(`only threshold rules have a count (${ruleId} is ${rule.kind})`);
          else if (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > 10_000)
            bad('must be an integer from 1 to 10000');
        } else if (key === 'limit') {
          if (rule.kind !== 'metric') bad(`only metric rules have a limit (${ruleId} is ${rule.kind})`);
          else if (!Number.isFinite(v)) bad('must be a number');
        } else if (key === 'window') {
          const ms = typeof v === 'string' ? parseDuration(v) : undefined;
          if (rule.kind !== 'threshold' && rule.kind !== 'metric') bad(`${ruleId} has no window`);
          else if (ms === undefined) bad('must be a duration like 5m');
          else if (rule.kind === 'threshold' && ms > MAX_WINDOW_MS) bad('must be at most 15m');
          else if (ms > MAX_DEDUP_WINDOW_MS) bad('must be at most 7d');
        } else if (key === 'scope') validateScope(v, `${where}.scope`, report);
        else bad('unknown property');
      }
    }
  });
  return { tenants: value as TenantsConfig, problems };
}

function destinations(value: unknown, path: string, report: (field: string, message: string) => void): void {
  if (value === undefined) return;
  if (!isObject(value)) return report(path, 'must be an object with `snsTopicArn` and/or `slackWebhook`');
  for (const key of Object.keys(value)) {
    if (key !== 'snsTopicArn' && key !== 'slackWebhook') report(`${path}.${key}`, 'unknown property');
  }
  if (
    value.snsTopicArn !== undefined &&
    (typeof value.snsTopicArn !== 'string' || !/^arn:aws[a-z-]*:sns:/.test(value.snsTopicArn))
  ) {
    report(`${path}.snsTopicArn`, 'must be an SNS topic ARN');
  }
  if (value.slackWebhook !== undefined) {
    const ref = value.slackWebhook;
    if (typeof ref !== 'string' || !/^(arn:aws[a-z-]*:(secretsmanager|ssm):|ssm:\/)/.test(ref)) {
      report(
        `${path}.slackWebhook`,
        'must reference a Secrets Manager secret ARN or an SSM parameter (ssm:/name), never the URL itself',
      );
    }
  }
}

/**
 * Loads and validates everything at once (cold start): rule files from `ruleDirs`, then the
 * tenants file. Throws {@link RuleConfigError} listing every problem with file, rule id and field.
 */
export function loadAlertConfig(options: {
  readonly ruleDirs: readonly string[];
  readonly tenantsFile?: string | undefined;
  readonly read?: (path: string) => string;
}): { rules: Rule[]; tenants: TenantsConfig } {
  const problems: ConfigProblem[] = [];
  const rules: Rule[] = [];
  const origin = new Map<string, string>();
  for (const dir of options.ruleDirs) {
    for (const { file, text } of ruleFiles(dir)) {
      const parsed = parseRuleFile(file, text);
      problems.push(...parsed.problems);
      for (const rule of parsed.rules) {
        const first = origin.get(rule.id);
        if (first) {
          problems.push({
            file,
            ruleId: rule.id,
            field: 'id',
            message: `duplicate rule id (also in ${basename(first)})`,
          });
          continue;
        }
        origin.set(rule.id, file);
        rules.push(rule);
      }
    }
  }
  let tenants: TenantsConfig = {};
  if (options.tenantsFile !== undefined) {
    const read = options.read ?? ((path: string) => readFileSync(path, 'utf8'));
    let text: string | undefined;
    try {
      text = read(options.tenantsFile);
    } catch (error) {
      problems.push({
        file: options.tenantsFile,
        field: '(file)',
        message: `cannot read: ${(error as Error).message}`,
      });
    }
    if (text !== undefined) {
      const parsed = parseTenants(options.tenantsFile, text, rules);
      problems.push(...parsed.problems);
      tenants = parsed.tenants;
    }
  }
  if (problems.length > 0) throw new RuleConfigError(problems);
  return { rules, tenants };
}
