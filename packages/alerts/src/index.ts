// The alerts package's public API: the engine and rule loading (for the local pipeline and
// tooling), the state store and processing, notifications. The Lambda handler is an entry point.
export { SEVERITIES, shortId, type Alert, type Destinations, type Evidence, type Severity } from './alert.ts';
export { AlertsConfigError, alertsConfigFromEnv, type AlertsConfig } from './config.ts';
export {
  alertKey,
  DEFAULT_TENANT,
  RuleEngine,
  type EngineOptions,
  type Findings,
  type NewValueObservation,
  type WindowObservation,
} from './engine.ts';
export { createNotifier, type NotifierOptions } from './notifier.ts';
export * from './notify/index.ts';
export {
  processDocuments,
  type Delivery,
  type Notifier,
  type ProcessDeps,
  type ProcessSummary,
} from './process.ts';
export { loadAlertConfig, parseRuleFile, parseTenants, ruleFiles } from './rules/load.ts';
export { compilePredicate, type Test } from './rules/predicate.ts';
export {
  parseDuration,
  RuleConfigError,
  type ConfigProblem,
  type Predicate,
  type Rule,
  type RuleKind,
  type RuleOverride,
  type Scope,
  type Tenant,
  type TenantsConfig,
} from './rules/schema.ts';
export { AlertStore, createAlertTable, PENDING_INDEX, type Channel, type PendingAlert } from './state.ts';
