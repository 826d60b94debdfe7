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
 * Whether any value of the field satisfies `check`: predicates call this for every event.
 *
 * The common path (no array on the way) is generated as its own function with the path's property
 * names written out. Documents come in many shapes, and a function shared by every field would see
 * all of them at one property read (megamorphic, the slowest kind); a function per field sees only
 * the shapes that reach it, and calls its `check` from a site V8 can inline. The names come from
 * validated rule files and are embedded as JSON string literals, never as code. Arrays on the way
 * take the generic walk, which descends them in place.
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
  const slow = (document: unknown): boolean => anyValue(document, 0);
  return compileWalk(segments, false, slow, check);
}

/**
 * The generated common path of a field read: descend `segments` by name; on an array on the
 * way, or at the end, hand the document to `slow`; a missing value gives `missing`; otherwise
 * `found(value)`. Property names are JSON string literals, never code.
 */
function compileWalk<T>(
  segments: readonly string[],
  missing: T,
  slow: (document: unknown) => T,
  found: (value: unknown) => T,
): (document: unknown) => T {
  const absent = JSON.stringify(missing) ?? 'undefined';
  const walk = segments
    .map(
      (segment) =>
        `if (v === null || typeof v !== 'object') return ${absent};\n` +
        `if (Array.isArray(v)) return slow(d);\n` +
        `v = v[${JSON.stringify(segment)}];`,
    )
    .join('\n');
  const source =
    `return function readField(d) {\nlet v = d;\n${walk}\n` +
    `if (v === undefined || v === null) return ${absent};\n` +
    `if (Array.isArray(v)) return slow(d);\nreturn found(v);\n};`;
  return new Function('slow', 'found', source)(slow, found) as (document: unknown) => T;
}

/**
 * The first value of a field as text, without allocating on the common path (no array on the
 * way): group-by keys are read for every matching event.
 */
export function firstTextReader(path: string): (document: unknown) => string | undefined {
  const slow = fieldReader(path);
  return compileWalk<string | undefined>(
    path.split('.'),
    undefined,
    (document) => firstText(slow, document),
    asText,
  );
}

const asText = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** The first value of a field as text (group keys, evidence), or undefined. */
export function firstText(reader: FieldReader, document: unknown): string | undefined {
  const value = reader(document)[0];
  return value === undefined ? undefined : asText(value);
}
