import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldReader, fieldTest, firstText, firstTextReader } from '../../src/rules/fields.ts';

// Documents over a few names, with arrays, nulls and scalars at any depth: the generated common
// path and the generic walk must agree with the reference reader on every one of them.
const NAMES = ['a', 'b', 'c', 'items', 'weird"name', 'con\\nstructor'];
const scalar = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -3, max: 3 }),
  fc.boolean(),
  fc.constant(null),
);
const { value: documentArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...NAMES), tie('value'), { maxKeys: 4 }),
  ),
}));
const pathArb = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));

describe('field readers', () => {
  it('fieldTest agrees with reading every value and testing each', () => {
    fc.assert(
      fc.property(documentArb, pathArb, fc.constantFrom('x', 1, true), (document, path, wanted) => {
        const check = (value: unknown) => value === wanted || typeof value === 'object';
        expect(fieldTest(path, check)(document)).toBe(fieldReader(path)(document).some(check));
      }),
      { numRuns: 5_000 },
    );
  });

  it('firstTextReader agrees with the first value read, as text', () => {
    fc.assert(
      fc.property(documentArb, pathArb, (document, path) => {
        expect(firstTextReader(path)(document)).toBe(firstText(fieldReader(path), document));
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads through arrays on the way and at the end', () => {
    const document = { a: [{ b: { c: ['1', '2'] } }, { b: { c: '3' } }], n: { m: 0 } };
    expect(fieldReader('a.b.c')(document)).toEqual(['1', '2', '3']);
    expect(fieldTest('a.b.c', (v) => v === '3')(document)).toBe(true);
    expect(fieldTest('a.b.c', (v) => v === '4')(document)).toBe(false);
    expect(firstTextReader('a.b.c')(document)).toBe('1');
    expect(firstTextReader('n.m')(document)).toBe('0');
    expect(firstTextReader('n')(document)).toBe('{"m":0}');
    expect(fieldTest('n.m.x', () => true)(document)).toBe(false);
    expect(firstTextReader('missing.path')(document)).toBeUndefined();
  });
});
