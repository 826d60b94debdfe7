/**
 * Reading a dotted field path from a document, as OpenSearch does: `a.b.c` descends objects, and
 * an array on the way yields every element's value (`aws.cloudtrail.flattened.request_parameters.
 * ipPermissions.items.ipRanges.items.cidrIp` gives all CIDRs of all permissions). A missing field
 * yields nothing, never an error.
 */
export type FieldReader = (document: unknown) => readonly unknown[];

const NONE: readonly unknown[] = Object.freeze([]);

/** Compiles `path` once; the reader is called for every event. */
export function fieldReader(path: string): FieldReader {
  const segments = path.split('.');
  return (document) => {
    let current: unknown = document;
    for (let i = 0; i < segments.length; i++) {
      if (current === null || typeof current !== 'object') return NONE;
      if (Array.isArray(current)) return collect(current, segments, i);
      current = (current as Record<string, unknown>)[segments[i] as string];
    }
    if (current === undefined || current === null) return NONE;
    if (Array.isArray(current)) return current.flat(Infinity).filter((v) => v !== null && v !== undefined);
    return [current];
  };
}

/** The slow path: an array somewhere on the way. */
function collect(values: readonly unknown[], segments: readonly string[], from: number): unknown[] {
  const out: unknown[] = [];
  const visit = (value: unknown, i: number): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, i);
      return;
    }
    if (i === segments.length) {
      out.push(value);
      return;
    }
    if (typeof value !== 'object') return;
    visit((value as Record<string, unknown>)[segments[i] as string], i + 1);
  };
  for (const v of values) visit(v, from);
  return out;
}

/**
 * Whether any value of the field satisfies `check`, walking the document without allocating
 * (arrays on the way are descended in place, stopping at the first value that passes): predicates
 * call this for every event.
 */
export function fieldTest(path: string, check: (value: unknown) => boolean): (document: unknown) => boolean {
  const segments = path.split('.');
  // `value` is what the first `i` segments lead to; arrays at any depth yield each element.
  const anyValue = (value: unknown, i: number): boolean => {
    if (value === null || value === undefined) return false;
    if (Array.isArray(value)) {
      for (const element of value) if (anyValue(element, i)) return true;
      return false;
    }
    if (i === segments.length) return check(value);
    if (typeof value !== 'object') return false;
    return anyValue((value as Record<string, unknown>)[segments[i] as string], i + 1);
  };
  return (document) => {
    let current: unknown = document;
    for (let i = 0; i < segments.length; i++) {
      if (current === null || typeof current !== 'object') return false;
      if (Array.isArray(current)) return anyValue(current, i);
      current = (current as Record<string, unknown>)[segments[i] as string];
    }
    if (current === undefined || current === null) return false;
    if (Array.isArray(current)) return anyValue(current, segments.length);
    return check(current);
  };
}

/**
 * The first value of a field as text, without allocating on the common path (no array on the
 * way): group-by keys are read for every matching event.
 */
export function firstTextReader(path: string): (document: unknown) => string | undefined {
  const segments = path.split('.');
  const slow = fieldReader(path);
  return (document) => {
    let current: unknown = document;
    for (let i = 0; i < segments.length; i++) {
      if (current === null || typeof current !== 'object') return undefined;
      if (Array.isArray(current)) return firstText(slow, document);
      current = (current as Record<string, unknown>)[segments[i] as string];
    }
    if (current === undefined || current === null) return undefined;
    if (Array.isArray(current)) return firstText(slow, document);
    return typeof current === 'string'
      ? current
      : typeof current === 'object'
        ? JSON.stringify(current)
        : String(current);
  };
}

/** The first value of a field as text (group keys, evidence), or undefined. */
export function firstText(reader: FieldReader, document: unknown): string | undefined {
  const value = reader(document)[0];
  if (value === undefined) return undefined;
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}
