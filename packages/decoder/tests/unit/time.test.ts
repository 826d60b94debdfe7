import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIso, isoTime } from '../../src/time.ts';

describe('formatIso', () => {
  it('equals Date#toISOString for any instant a Date can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(formatIso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    0, -1, 951_782_400_000 /* 2000-02-29 */, 1_700_000_000_123, -62_135_596_800_000, 253_402_300_799_999,
    253_402_300_800_000,
  ])('formats %d like toISOString (epoch, leap day, year edges)', (ms) => {
    expect(formatIso(ms)).toBe(new Date(ms).toISOString());
  });

  it('isoTime returns the same answers while remembering the last two', () => {
    for (const ms of [1, 2, 1, 2, 3, 1, 3]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
