// Structural mutations of JSON fixture records, for fast-check "never throws" properties.
import fc from 'fast-check';

/** Every path (keys and array indexes) of a JSON value. */
export function pathsOf(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      pathsOf(item, path, out);
    }
  }
  return out;
}

/** One change at the `path`-th path (modulo the path count): delete it, replace it, or stringify the value put there. */
export interface Mutation {
  readonly path: number;
  readonly op: 'delete' | 'replace' | 'string';
  readonly value: unknown;
}

/**
 * `String(value)`, except for values it cannot convert: fc.jsonValue() may generate
 * `{"toString": 0}`, whose own key shadows Object.prototype.toString, and String() then throws
 * (ECMA-262 OrdinaryToPrimitive), failing the property in the harness instead of the parser.
 */
function asText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return JSON.stringify(value);
  }
}

/** A copy of `base` with `mutations` applied in order. */
export function mutate(base: unknown, mutations: readonly Mutation[]): unknown {
  const copy = structuredClone(base);
  for (const mutation of mutations) {
    const paths = pathsOf(copy);
    const path = paths[mutation.path % Math.max(paths.length, 1)];
    if (path === undefined) break;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    const last = path[path.length - 1] as string | number;
    const target = parent as Record<string | number, unknown>;
    if (mutation.op === 'delete') Reflect.deleteProperty(target, last);
    else target[last] = mutation.op === 'string' ? asText(mutation.value) : mutation.value;
  }
  return copy;
}

/** Arbitrary {@link Mutation}s. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  path: fc.nat(),
  op: fc.constantFrom('delete' as const, 'replace' as const, 'string' as const),
  value: fc.jsonValue({ maxDepth: 2 }),
});
