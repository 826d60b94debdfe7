/** Where a replay stands, as the progress display needs it. */
export interface ProgressSnapshot {
  /** Epoch ms the replay started. */
  readonly startedAt: number;
  /** Objects finished (read or failed). */
  readonly objectsDone: number;
  /** Objects selected for reading so far; final once `listingComplete`. */
  readonly objectsTotal: number;
  readonly listingComplete: boolean;
  /** Stored bytes of the finished objects, and of all selected ones: the ETA's measure. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Documents handled (indexed, duplicates, dead-lettered, failed; in a dry run: read). */
  readonly documents: number;
  readonly objectsFailed: number;
}

/**
 * Seconds left, from the bytes still to read at the average rate so far (objects differ in size
 * far more than in bytes per second). Unknown until the listing is complete and something is done.
 */
export function etaSeconds(snapshot: ProgressSnapshot, now: number): number | undefined {
  if (!snapshot.listingComplete) return undefined;
  if (snapshot.objectsDone >= snapshot.objectsTotal) return 0;
  const elapsed = (now - snapshot.startedAt) / 1000;
  if (elapsed <= 0) return undefined;
  if (snapshot.bytesTotal > 0 && snapshot.bytesDone > 0) {
    return ((snapshot.bytesTotal - snapshot.bytesDone) * elapsed) / snapshot.bytesDone;
  }
  if (snapshot.objectsDone > 0) {
    return ((snapshot.objectsTotal - snapshot.objectsDone) * elapsed) / snapshot.objectsDone;
  }
  return undefined;
}

/** `45s`, `3m07s`, `2h05m`; `--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `1,234,567`: exact, for plain lines and the summary. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `950`, `12.3k`, `1.23M`: short, for the redrawn TTY line. */
export function formatCompact(n: number): string {
  const v = Math.round(n);
  if (v < 1_000) return String(v);
  if (v < 1_000_000) return `${(v / 1_000).toFixed(v < 10_000 ? 2 : 1)}k`;
  if (v < 1_000_000_000) return `${(v / 1_000_000).toFixed(v < 10_000_000 ? 2 : 1)}M`;
  return `${(v / 1_000_000_000).toFixed(2)}G`;
}

/** A bar of `width` cells, `fraction` (clamped to 0–1) of them filled. */
export function progressBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

function documentsPerSecond(snapshot: ProgressSnapshot, now: number): number {
  const elapsed = (now - snapshot.startedAt) / 1000;
  return elapsed > 0 ? snapshot.documents / elapsed : 0;
}

function fractionDone(snapshot: ProgressSnapshot): number {
  if (snapshot.objectsTotal === 0) return snapshot.listingComplete ? 1 : 0;
  return snapshot.objectsDone / snapshot.objectsTotal;
}

/**
 * The TTY line, redrawn in place and fitted to `columns`:
 * `[██████░░░░░░]  42% 120/284 objects · 1.23M docs · 8.4k docs/s · 1 failed · ETA 3m12s`.
 * A `+` after the total means the listing is still going; the bar goes first when space is short.
 */
export function formatTtyLine(snapshot: ProgressSnapshot, now: number, columns = 100): string {
  const fraction = fractionDone(snapshot);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const total = `${snapshot.objectsTotal}${snapshot.listingComplete ? '' : '+'}`;
  const parts = [
    `${percent} ${snapshot.objectsDone}/${total} objects`,
    `${formatCompact(snapshot.documents)} docs`,
    `${formatCompact(documentsPerSecond(snapshot, now))} docs/s`,
    ...(snapshot.objectsFailed > 0 ? [`${snapshot.objectsFailed} failed`] : []),
    `ETA ${formatDuration(etaSeconds(snapshot, now))}`,
  ];
  const text = parts.join(' · ');
  const barWidth = Math.min(30, columns - text.length - 4);
  const line = barWidth >= 10 ? `[${progressBar(fraction, barWidth)}] ${text}` : text;
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** A plain line for logs and pipes: `replay: 120/284 objects (42%), 1,234,567 documents, …`. */
export function formatPlainLine(snapshot: ProgressSnapshot, now: number): string {
  const total = `${snapshot.objectsTotal}${snapshot.listingComplete ? '' : '+'}`;
  const percent = Math.floor(fractionDone(snapshot) * 100);
  const failed = snapshot.objectsFailed > 0 ? `, ${snapshot.objectsFailed} failed` : '';
  return (
    `replay: ${snapshot.objectsDone}/${total} objects (${percent}%)${failed}, ` +
    `${formatCount(snapshot.documents)} documents, ${formatCount(documentsPerSecond(snapshot, now))} docs/s, ` +
    `elapsed ${formatDuration((now - snapshot.startedAt) / 1000)}, ETA ${formatDuration(etaSeconds(snapshot, now))}`
  );
}

/** Receives snapshots as the replay moves; draws them as it sees fit. */
export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  /** The last snapshot: draws the final state and stops any timer. */
  finish(snapshot: ProgressSnapshot): void;
}

/** The part of a stream the reporter uses (`process.stderr` fits). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/**
 * Progress on `stream`: on a TTY one line redrawn in place several times a second (so rate and
 * ETA move even while a large object is being indexed); otherwise a plain line every
 * `plainIntervalMs` (default 10 s) and one at the end, which suits CI logs and `2> file`.
 */
export function createProgressReporter(
  stream: ProgressStream,
  options: { readonly plainIntervalMs?: number; readonly now?: () => number } = {},
): ProgressReporter {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  let latest: ProgressSnapshot | undefined;
  const draw = (): void => {
    if (latest === undefined) return;
    // A pseudo-terminal without a size (script, some CI runners) reports 0 columns.
    const columns = stream.columns !== undefined && stream.columns >= 40 ? stream.columns : 100;
    if (tty) stream.write(`\r${formatTtyLine(latest, now(), columns)}\x1b[K`);
    else stream.write(`${formatPlainLine(latest, now())}\n`);
  };
  const timer = setInterval(draw, tty ? 250 : (options.plainIntervalMs ?? 10_000));
  timer.unref();
  return {
    update(snapshot) {
      latest = snapshot;
    },
    finish(snapshot) {
      clearInterval(timer);
      latest = snapshot;
      draw();
      if (tty) stream.write('\n');
    },
  };
}

/** A reporter that draws nothing (tests, `--quiet`). */
export const silentProgress: ProgressReporter = { update: () => undefined, finish: () => undefined };
