import { forEachConcurrently } from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import type { Alert } from './alert.ts';
import type { RuleEngine } from './engine.ts';
import type { AlertStore, Channel } from './state.ts';

/** What one delivery attempt series came to; never thrown. */
export type Delivery =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly permanent: boolean; readonly error: string };

/** Sends one alert to one channel (with its own short retries), resolving destinations itself. */
export interface Notifier {
  deliver(channel: Channel, alert: Alert, deadline: number): Promise<Delivery>;
}

export interface ProcessDeps {
  readonly engine: RuleEngine;
  readonly store: AlertStore;
  readonly notifier: Notifier;
  /** Identifies this invocation in delivery leases. */
  readonly owner: string;
  /** Epoch ms after which no new delivery starts. */
  readonly deadline: number;
  readonly now?: () => number;
  /** How long a delivery lease lasts; a crashed invocation's alerts are retried after it. */
  readonly leaseMs?: number;
  /** Pending alerts retried per invocation. */
  readonly pendingLimit?: number;
  readonly concurrency?: number;
}

export interface ProcessSummary {
  documents: number;
  matches: number;
  /** Alerts found in this batch (before deduplication against earlier batches). */
  candidates: number;
  /** Of those, claimed for the first time: each is delivered exactly once. */
  raised: number;
  /** Found again (redelivery, replay, another shard): nothing sent. */
  duplicates: number;
  windows: number;
  windowsFired: number;
  newValues: number;
  delivered: number;
  deliveryFailures: number;
  /** Earlier alerts whose delivery was retried in this invocation. */
  pendingRetried: number;
  failures: string[];
}

/**
 * Runs the rules over a batch of documents and delivers what they raise. State changes are
 * idempotent (window sets, conditional claims), so the same batch processed again raises
 * nothing new; a delivery that fails stays pending in DynamoDB and is retried by a later
 * invocation. Throws only when DynamoDB itself fails: the caller then returns the batch to Kinesis.
 */
export async function processDocuments(
  documents: readonly LogDocument[],
  deps: ProcessDeps,
): Promise<ProcessSummary> {
  const now = deps.now ?? Date.now;
  const concurrency = deps.concurrency ?? 8;
  const findings = deps.engine.evaluate(documents);
  const summary: ProcessSummary = {
    documents: documents.length,
    matches: findings.matches,
    candidates: 0,
    raised: 0,
    duplicates: 0,
    windows: findings.windows.length,
    windowsFired: 0,
    newValues: 0,
    delivered: 0,
    deliveryFailures: 0,
    pendingRetried: 0,
    failures: [],
  };

  const candidates: Alert[] = [...findings.alerts];
  await forEachConcurrently(findings.windows, concurrency, async (window) => {
    const total = await deps.store.tallyWindow(window.key, window.eventIds, window.windowEnd);
    if (total === undefined || total < window.count) return;
    summary.windowsFired++;
    candidates.push({ ...window.alert(), count: total, eventIds: [...window.eventIds].slice(0, 10) });
  });
  await forEachConcurrently(findings.newValues, concurrency, async (observation) => {
    const seen = await deps.store.firstSeen(
      observation.key,
      observation.rememberMs,
      now(),
      observation.firstEvent,
    );
    if (seen === 'first') summary.newValues++;
    if (seen) candidates.push(observation.alert);
  });
  summary.candidates = candidates.length;

  const raised: string[] = [];
  await forEachConcurrently(candidates, concurrency, async (alert) => {
    const channels = channelsOf(deps, alert.tenant);
    if (await deps.store.claim(alert, channels, now())) {
      summary.raised++;
      if (channels.length > 0) raised.push(alert.key);
    } else {
      summary.duplicates++;
    }
  });
  // Mark fired windows after their alert is claimed: a crash in between re-tallies, no loss.
  await forEachConcurrently(
    findings.windows.filter((w) => candidates.some((c) => c.key === w.key)),
    concurrency,
    (w) => deps.store.markFired(w.key),
  );

  // New alerts first, then earlier ones still pending.
  const due = await deps.store.due(now(), deps.pendingLimit ?? 50);
  const retried = due.filter((key) => !raised.includes(key));
  summary.pendingRetried = retried.length;
  await forEachConcurrently([...raised, ...retried], concurrency, (key) => deliver(key, deps, summary));
  return summary;
}

function channelsOf(deps: ProcessDeps, tenant: string): Channel[] {
  const d = deps.engine.destinationsOf(tenant);
  return [...(d.snsTopicArn ? (['sns'] as const) : []), ...(d.slackWebhook ? (['slack'] as const) : [])];
}

async function deliver(key: string, deps: ProcessDeps, summary: ProcessSummary): Promise<void> {
  const now = deps.now ?? Date.now;
  if (now() >= deps.deadline) return; // stays pending: the next invocation sends it
  const leaseMs = deps.leaseMs ?? 60_000;
  const pending = await deps.store.lease(key, deps.owner, now(), leaseMs);
  if (!pending) return;
  const errors: string[] = [];
  let permanentOnly = true;
  for (const channel of pending.channels) {
    const result = await deps.notifier.deliver(
      channel,
      pending.alert,
      Math.min(deps.deadline, now() + leaseMs / 2),
    );
    if (result.ok) {
      await deps.store.delivered(key, channel, deps.owner);
      summary.delivered++;
    } else {
      summary.deliveryFailures++;
      errors.push(`${channel}: ${result.error}`);
      permanentOnly &&= result.permanent;
    }
  }
  if (errors.length > 0) {
    const attempts = pending.attempts + 1;
    // A channel refusing for good (webhook deleted, topic gone) waits longer: a person must fix it.
    const base = permanentOnly ? 15 * 60_000 : 30_000;
    const delay = Math.min(3_600_000, base * 2 ** Math.min(attempts - 1, 10));
    await deps.store.retryLater(key, deps.owner, attempts, now() + delay, errors.join('; '));
    if (summary.failures.length < 10) summary.failures.push(`${key}: ${errors.join('; ')}`);
  }
}
