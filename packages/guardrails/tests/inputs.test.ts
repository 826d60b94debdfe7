import { describe, expect, it } from 'vitest';
import { PreviewGaps, Unknown, at, firstUnknown, readInputs } from '../src/inputs.ts';
import { UNKNOWN_STRING, duringPreview } from './support/preview.ts';

describe('readInputs', () => {
  it('copies plain props as they are', () => {
    const props = { name: 'central-logging', rules: [{ a: 1 }], nested: { enabled: true } };
    expect(readInputs(props)).toEqual(props);
  });

  it('replaces each unknown value, at any depth, by an Unknown carrying the engine’s error', () => {
    const resource = duringPreview({
      type: 'aws:kinesis/stream:Stream',
      name: 'stream',
      props: {
        kmsKeyId: UNKNOWN_STRING,
        tags: { owner: 'platform', arn: UNKNOWN_STRING },
        list: ['a', UNKNOWN_STRING],
      },
    });
    const props = readInputs(resource.props);
    expect(props['kmsKeyId']).toBeInstanceOf(Unknown);
    expect((props['kmsKeyId'] as Unknown).error.message).toBe(
      "string value at .kmsKeyId can't be known during preview",
    );
    expect(at(props, 'tags', 'owner')).toBe('platform');
    expect((at(props, 'tags', 'arn') as Unknown).error.message).toBe(
      "string value at .tags.arn can't be known during preview",
    );
    expect((props['list'] as unknown[])[0]).toBe('a');
    expect((props['list'] as unknown[])[1]).toBeInstanceOf(Unknown);
  });
});

describe('at', () => {
  it('follows a path, stops at an Unknown, and gives undefined for a missing step', () => {
    const unknown = new Unknown(new Error('unknown'));
    const props = { a: { b: { c: 1 } }, u: unknown };
    expect(at(props, 'a', 'b', 'c')).toBe(1);
    expect(at(props, 'u', 'b')).toBe(unknown);
    expect(at(props, 'a', 'x', 'c')).toBeUndefined();
    expect(firstUnknown({ x: [1, { y: unknown }] })).toBe(unknown);
    expect(firstUnknown({ x: [1] })).toBeUndefined();
  });
});

describe('PreviewGaps', () => {
  it('rethrows the first skipped value’s error, and nothing when nothing was skipped', () => {
    const gaps = new PreviewGaps();
    expect(() => gaps.throwIfAny()).not.toThrow();
    const first = new Error('first');
    gaps.skip(new Unknown(first));
    gaps.skip(new Unknown(new Error('second')));
    expect(() => gaps.throwIfAny()).toThrow(first);
  });
});
