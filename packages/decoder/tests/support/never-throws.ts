// Shared scaffolding of the parsers' fast-check "never throws" properties: the checks every result
// must pass, and the property set-ups the parser tests have in common. Run counts stay with the
// callers, so each test states its own strength.
import fc from 'fast-check';
import { expect } from 'vitest';
import { isParseFailure } from '../../src/parse/types.ts';
import type { ParseOutput, ParseResult } from '../../src/parse/types.ts';
import { mutate, mutationArb } from './mutate.ts';

/**
 * Every result of `output` is a failure with a string reason, or an event of `dataset` with a
 * finite timestamp (or none) and JSON-serializable fields.
 */
export function expectValidOutput(output: ParseOutput, dataset: string): void {
  const results: readonly ParseResult[] = Array.isArray(output) ? output : [output as ParseResult];
  for (const result of results) {
    if (isParseFailure(result)) {
      expect(typeof result.failure).toBe('string');
      continue;
    }
    expect(result.dataset).toBe(dataset);
    if (result.timestamp !== undefined) expect(Number.isFinite(result.timestamp)).toBe(true);
    expect(typeof result.fields).toBe('object');
    JSON.stringify(result.fields);
  }
}

/** `result` is a failure with a string reason, or an event of `dataset`. */
export function expectResultOrFailure(result: ParseResult, dataset: string): void {
  if (isParseFailure(result)) expect(typeof result.failure).toBe('string');
  else expect(result.dataset).toBe(dataset);
}

/** Strings of arbitrary UTF-16 code units (lone surrogates included), up to 300 long. */
export const binaryStrings: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 300 });

/** fast-check: `run` passes (does not throw) on `numRuns` values of `arbitrary`. */
export function forAll<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, run: (value: T) => void): void {
  fc.assert(fc.property(arbitrary, run), { numRuns });
}

/** {@link forAll} on values of `arbitrary`, each also given as its JSON text ('' for undefined). */
export function forAllJson<T>(
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  run: (text: string, value: T) => void,
): void {
  forAll(arbitrary, numRuns, (value) => run(JSON.stringify(value) ?? '', value));
}

/**
 * fast-check: `run` passes on `numRuns` copies of one of `bases` with up to six structural
 * {@link mutate | mutations}, each with a value of `variant` (how to wrap it, say).
 */
export function forMutated<T>(
  bases: readonly unknown[],
  variant: fc.Arbitrary<T>,
  numRuns: number,
  run: (record: unknown, variant: T) => void,
): void {
  fc.assert(
    fc.property(
      fc.nat(bases.length - 1),
      fc.array(mutationArb, { maxLength: 6 }),
      variant,
      (baseIndex, mutations, v) => run(mutate(bases[baseIndex], mutations), v),
    ),
    { numRuns },
  );
}
