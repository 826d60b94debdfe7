// Resource inputs as a policy sees them. During `pulumi preview` an input that depends on a resource
// not created yet (a key's ARN, a bucket's id) is unknown: the engine sends a sentinel, and
// @pulumi/policy wraps the props in a proxy that throws `UnknownValueError` when such a value is read.
// A thrown error would end the whole validation, so each policy copies its props once with
// `readInputs`, which puts an `Unknown` in place of every unknown value; a check that needs one skips
// itself (`PreviewGaps`), and the other checks still run.
import { UnknownValueError as untypedUnknownValueError } from '@pulumi/policy';

// @pulumi/policy exports the class at runtime, but its typings drop it (it is marked @internal), so
// TypeScript sees `any`. It is given a type once, here.
const UnknownValueError: abstract new (...args: never[]) => Error = untypedUnknownValueError;

/** A value Pulumi cannot know until the update runs; `error` is the engine's own report of it. */
export class Unknown {
  readonly error: Error;

  constructor(error: Error) {
    this.error = error;
  }
}

/** True for the error @pulumi/policy throws when a policy reads a value unknown during preview. */
export function isUnknownValueError(error: unknown): error is Error {
  return error instanceof UnknownValueError;
}

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies resource props into plain data, with an `Unknown` in place of each value unknown during preview. */
export function readInputs(props: unknown): Record<string, unknown> {
  const copy = readValue(props);
  return isRecord(copy) ? copy : {};
}

function readValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let index = 0; index < value.length; index++) items.push(readMember(() => value[index]));
    return items;
  }
  if (isRecord(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = readMember(() => value[key]);
    return copy;
  }
  return value;
}

/** Reads one member through the engine's proxy, which throws for a value unknown during preview. */
function readMember(read: () => unknown): unknown {
  try {
    return readValue(read());
  } catch (error) {
    if (isUnknownValueError(error)) return new Unknown(error);
    throw error;
  }
}

/** Follows `path` through nested objects: an `Unknown` on the way is returned as is, a missing step gives undefined. */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current instanceof Unknown) return current;
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The first `Unknown` inside `value`, if any. */
export function firstUnknown(value: unknown): Unknown | undefined {
  if (value instanceof Unknown) return value;
  const members = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
  for (const member of members) {
    const found = firstUnknown(member);
    if (found) return found;
  }
  return undefined;
}

/**
 * What one validation could not check because a value is unknown during preview. After every other
 * check has run, `throwIfAny` rethrows the engine's own `UnknownValueError`: the engine reports it as
 * an advisory ("can't run policy … during preview: string value at .accessPolicy can't be known
 * during preview") rather than a failure, so the skip is visible without blocking the preview.
 */
export class PreviewGaps {
  #first: Unknown | undefined;

  /** Records that a check was skipped because `value` is unknown. */
  readonly skip = (value: Unknown): void => {
    this.#first ??= value;
  };

  /** Rethrows the first recorded gap, if there was one. */
  throwIfAny(): void {
    if (this.#first) throw this.#first.error;
  }
}
