import { describe, expect, it } from 'vitest';
import {
  createProgressReporter,
  etaSeconds,
  formatCompact,
  formatCount,
  formatDuration,
  formatPlainLine,
  formatTtyLine,
  progressBar,
  type ProgressSnapshot,
} from '../../src/replay/progress.ts';
import { emptySummary, formatSummary, replayFailed } from '../../src/replay/summary.ts';

const START = 1_700_000_000_000;
const snapshot = (overrides: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  startedAt: START,
  objectsDone: 120,
  objectsTotal: 480,
  listingComplete: true,
  bytesDone: 25 * 1024 * 1024,
  bytesTotal: 100 * 1024 * 1024,
  documents: 1_234_567,
  objectsFailed: 0,
  ...overrides,
});

describe('progress formatting', () => {
  it('formats durations, counts and bars', () => {
    expect(formatDuration(undefined)).toBe('--');
    expect(formatDuration(44.6)).toBe('45s');
    expect(formatDuration(192)).toBe('3m12s');
    expect(formatDuration(7500)).toBe('2h05m');
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1234)).toBe('1.23k');
    expect(formatCompact(12_345)).toBe('12.3k');
    expect(formatCompact(1_234_567)).toBe('1.23M');
    expect(progressBar(0.5, 10)).toBe('█████░░░░░');
    expect(progressBar(2, 4)).toBe('████');
    expect(progressBar(Number.NaN, 4)).toBe('░░░░');
  });

  it('estimates the time left from bytes', () => {
    // A quarter of the bytes in 60 s: three quarters left take 180 s.
    expect(etaSeconds(snapshot(), START + 60_000)).toBe(180);
    expect(etaSeconds(snapshot({ listingComplete: false }), START + 60_000)).toBeUndefined();
    expect(etaSeconds(snapshot({ objectsDone: 480 }), START + 60_000)).toBe(0);
    expect(etaSeconds(snapshot({ bytesDone: 0, bytesTotal: 0 }), START + 60_000)).toBe(180);
    expect(etaSeconds(snapshot({ objectsDone: 0, bytesDone: 0 }), START + 60_000)).toBeUndefined();
  });

  it('draws one TTY line that fits the terminal', () => {
    const line = formatTtyLine(snapshot({ objectsFailed: 2 }), START + 60_000, 120);
    expect(line).toBe(
      '[████████░░░░░░░░░░░░░░░░░░░░░░]  25% 120/480 objects · 1.23M docs · 20.6k docs/s · 2 failed · ETA 3m00s',
    );
    expect(formatTtyLine(snapshot(), START + 60_000, 60).length).toBeLessThan(60);
    expect(formatTtyLine(snapshot(), START + 60_000, 60)).not.toContain('█');
    expect(formatTtyLine(snapshot({ listingComplete: false }), START + 60_000, 120)).toContain(
      '120/480+ objects',
    );
  });

  it('writes plain lines for logs', () => {
    expect(formatPlainLine(snapshot(), START + 60_000)).toBe(
      'replay: 120/480 objects (25%), 1,234,567 documents, 20,576 docs/s, elapsed 1m00s, ETA 3m00s',
    );
  });

  it('redraws in place on a TTY and prints lines otherwise', () => {
    const written: string[] = [];
    const tty = createProgressReporter(
      { isTTY: true, columns: 200, write: (t) => written.push(t) },
      { now: () => START + 60_000 },
    );
    tty.update(snapshot());
    tty.finish(snapshot({ objectsDone: 480, bytesDone: 100 * 1024 * 1024 }));
    expect(written[0]).toMatch(/^\r\[█+\] 100% 480\/480 objects .*ETA 0s/);
    // Cleared to the end of the line (ESC [ K), so a shorter line leaves no leftovers.
    expect(written[0]?.endsWith('\u001b[K')).toBe(true);
    expect(written[1]).toBe('\n');

    const plain: string[] = [];
    const pipe = createProgressReporter({ write: (t) => plain.push(t) }, { now: () => START + 60_000 });
    pipe.finish(snapshot());
    expect(plain).toEqual([`${formatPlainLine(snapshot(), START + 60_000)}\n`]);
  });
});

describe('summary', () => {
  it('prints every count and tells how to resume', () => {
    const summary = emptySummary(false);
    Object.assign(summary.objects, {
      listed: 10,
      skippedByFilter: 2,
      skippedByCheckpoint: 3,
      read: 4,
      failed: 1,
    });
    Object.assign(summary.documents, {
      read: 100,
      outsideFilter: 10,
      selected: 90,
      indexed: 80,
      duplicates: 5,
      deadLettered: 3,
      failed: 2,
    });
    summary.checkpoint = '/tmp/cp.json';
    summary.failures.push('archive/x.json.gz: 2 documents failed, e.g. 429 es_rejected_execution_exception');
    summary.seconds = 12.34;
    const text = formatSummary(summary, 's3://central-archive/archive/');
    expect(text).toContain('Replay of s3://central-archive/archive/ completed in 12.3 s');
    expect(text).toContain('10 listed · 2 outside filter · 3 done earlier · 4 read · 1 failed · 0 not read');
    expect(text).toContain(
      '100 read · 10 outside filter · 80 indexed · 5 already there · 3 dead-lettered · 2 failed',
    );
    expect(text).toContain('Run the same command again to resume');
    expect(replayFailed(summary)).toBe(true);
    expect(replayFailed(emptySummary(false))).toBe(false);
    expect(formatSummary(emptySummary(true), 's3://b/')).toContain('(dry run: nothing indexed or written)');
  });
});
