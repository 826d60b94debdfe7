import { formatCount } from './progress.ts';

/**
 * How a replay ended. `completed`: every selected object was read. `stopped`: `maxObjects`
 * reached. `interrupted`: the abort signal (Ctrl-C) stopped it; run again to resume.
 * `failed`: a fatal error (listing, checkpoint) or too many objects failing in a row stopped it.
 */
export type ReplayStatus = 'completed' | 'stopped' | 'interrupted' | 'failed';

/**
 * What a replay did. Objects: `listed = skippedByFilter + skippedByCheckpoint + read + failed +
 * notRead`. Documents: `read = outsideFilter + selected`, and (not in a dry run)
 * `selected = indexed + duplicates + deadLettered + failed`. Nothing is left out of these sums.
 */
export interface ReplaySummary {
  readonly dryRun: boolean;
  status: ReplayStatus;
  /** Why the replay ended early (status `failed`, `interrupted`, `stopped`). */
  error?: string;
  /** `created`: the cluster had no templates for the prefix; `present`: left as they are. */
  templates: 'created' | 'present' | 'skipped';
  /** The checkpoint file, when there is one (never in a dry run). */
  checkpoint?: string;
  readonly objects: {
    /** Keys the listing returned (under the prefix, folder placeholders aside). */
    listed: number;
    /** Their partition (account, day) cannot hold a selected document. */
    skippedByFilter: number;
    /** Completed by an earlier run at the same ETag. */
    skippedByCheckpoint: number;
    /** Read, and every document in them accounted for (checkpointed). */
    read: number;
    /**
     * Could not be read (S3 refused it, or above `maxObjectBytes`), or some document neither indexed
     * nor dead-lettered: not checkpointed.
     */
    failed: number;
    /** Listed and selected, but the replay stopped before reading them. */
    notRead: number;
    /**
     * `account=` subtrees and year, month and day folders left out of the listing, none
     * of their keys listed, because nothing under them is selected (not part of the sum above).
     */
    partitionsNotListed: number;
  };
  readonly documents: {
    read: number;
    /** In a read object but outside the time range, accounts or datasets. */
    outsideFilter: number;
    selected: number;
    indexed: number;
    /** Already in the index (409): indexed by the pipeline or an earlier replay. */
    duplicates: number;
    deadLettered: number;
    /** Still retryable when the attempts ran out, or their dead letter could not be written. */
    failed: number;
  };
  /** Units that did not decode (a non-JSON line, a corrupt payload): dead-lettered with their reason. */
  undecodable: number;
  /** CONTROL_MESSAGE payloads found in error-prefix records: dropped, as everywhere. */
  controlMessages: number;
  /** Objects that were the indexer's own dead-letter objects, re-read. */
  deadLetterObjects: number;
  /** Stored bytes of the objects read. */
  bytes: number;
  bulkRequests: number;
  bulkRetries: number;
  /** Where this run's dead letters were written. */
  readonly deadLetterLocations: string[];
  /** The first failures, `<key>: <reason>`; the counts above are complete. */
  readonly failures: string[];
  /** The first undecodable units, `<key> <line>: <reason>: <message>` (in a dry run, the only record of them). */
  readonly undecodableSamples: string[];
  seconds: number;
}

/** How many failures and undecodable units the summary quotes; its counts cover all of them. */
export const MAX_LISTED_FAILURES = 20;

/** A summary with every count at zero, status `completed`. */
export function emptySummary(dryRun: boolean): ReplaySummary {
  return {
    dryRun,
    status: 'completed',
    templates: 'skipped',
    objects: {
      listed: 0,
      skippedByFilter: 0,
      skippedByCheckpoint: 0,
      read: 0,
      failed: 0,
      notRead: 0,
      partitionsNotListed: 0,
    },
    documents: {
      read: 0,
      outsideFilter: 0,
      selected: 0,
      indexed: 0,
      duplicates: 0,
      deadLettered: 0,
      failed: 0,
    },
    undecodable: 0,
    controlMessages: 0,
    deadLetterObjects: 0,
    bytes: 0,
    bulkRequests: 0,
    bulkRetries: 0,
    deadLetterLocations: [],
    failures: [],
    undecodableSamples: [],
    seconds: 0,
  };
}

/** True when something was not handled: the CLI exits 1. Stopping on request is not a failure. */
export function replayFailed(summary: ReplaySummary): boolean {
  return summary.status === 'failed' || summary.objects.failed > 0 || summary.documents.failed > 0;
}

/** The summary as a few aligned lines for a person. */
export function formatSummary(summary: ReplaySummary, target: string): string {
  const { objects: o, documents: d } = summary;
  const c = formatCount;
  const mode = summary.dryRun ? ' (dry run: nothing indexed or written)' : '';
  const lines = [
    `Replay of ${target} ${summary.status} in ${summary.seconds.toFixed(1)} s${mode}`,
    ...(summary.error === undefined ? [] : [`  reason        ${summary.error}`]),
    `  objects       ${c(o.listed)} listed · ${c(o.skippedByFilter)} outside filter · ` +
      `${c(o.skippedByCheckpoint)} done earlier · ${c(o.read)} read · ${c(o.failed)} failed · ${c(o.notRead)} not read`,
    ...(o.partitionsNotListed === 0
      ? []
      : [`  partitions    ${c(o.partitionsNotListed)} account/date prefixes outside the filter, not listed`]),
    summary.dryRun
      ? `  documents     ${c(d.read)} read · ${c(d.outsideFilter)} outside filter · ${c(d.selected)} would be indexed`
      : `  documents     ${c(d.read)} read · ${c(d.outsideFilter)} outside filter · ${c(d.indexed)} indexed · ` +
        `${c(d.duplicates)} already there · ${c(d.deadLettered)} dead-lettered · ${c(d.failed)} failed`,
    `  other units   ${c(summary.undecodable)} undecodable${summary.dryRun ? '' : ' (dead-lettered)'} · ` +
      `${c(summary.controlMessages)} control messages dropped · ${c(summary.deadLetterObjects)} dead-letter objects re-read`,
    `  volume        ${(summary.bytes / 1024 / 1024).toFixed(1)} MiB read · ${c(summary.bulkRequests)} bulk requests ` +
      `(${c(summary.bulkRetries)} retries) · ${c(summary.seconds > 0 ? d.read / summary.seconds : 0)} docs/s`,
    `  templates     ${summary.templates}`,
  ];
  if (summary.checkpoint !== undefined) lines.push(`  checkpoint    ${summary.checkpoint}`);
  if (summary.deadLetterLocations.length > 0) {
    lines.push(`  dead letters  ${summary.deadLetterLocations.length} written:`);
    for (const location of summary.deadLetterLocations.slice(0, 10)) lines.push(`    ${location}`);
    if (summary.deadLetterLocations.length > 10)
      lines.push(`    … ${summary.deadLetterLocations.length - 10} more`);
  }
  if (summary.undecodableSamples.length > 0) {
    lines.push(`  undecodable (first ${summary.undecodableSamples.length}):`);
    for (const sample of summary.undecodableSamples) lines.push(`    ${sample}`);
  }
  if (summary.failures.length > 0) {
    lines.push(`  failures (first ${summary.failures.length}):`);
    for (const failure of summary.failures) lines.push(`    ${failure}`);
  }
  if (summary.status === 'interrupted' || summary.status === 'stopped' || replayFailed(summary)) {
    lines.push(
      summary.checkpoint === undefined
        ? '  Run it again to retry; indexing is idempotent.'
        : '  Run the same command again to resume: completed objects are skipped.',
    );
  }
  return lines.join('\n');
}
