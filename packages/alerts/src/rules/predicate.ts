import { fieldTest } from './fields.ts';
import { parseCidr, parseIp, type FieldCondition, type Predicate, type Scalar } from './schema.ts';

/** A compiled condition: no parsing, lookups or regex compilation per event. */
export type Test = (document: unknown) => boolean;

const ALWAYS: Test = () => true;

/** Compiles a validated predicate (undefined: every document). */
export function compilePredicate(predicate: Predicate | undefined): Test {
  if (predicate === undefined) return ALWAYS;
  if ('all' in predicate) return combine(predicate.all.map(compilePredicate), '&&');
  if ('any' in predicate) return combine(predicate.any.map(compilePredicate), '||');
  if ('not' in predicate) return combine([compilePredicate(predicate.not)], '!');
  return compileCondition(predicate);
}

/**
 * `t0(d) && t1(d) …`, `t0(d) || …` or `!t0(d)` as a function of its own, so that each call site
 * sees one test and V8 can inline it (a loop over an array of tests, shared by every rule, calls
 * many different functions from one site and inlines none). Only parameter names are generated.
 */
function combine(tests: readonly Test[], operator: '&&' | '||' | '!'): Test {
  if (tests.length === 1 && operator !== '!') return tests[0] as Test;
  if (tests.length === 0) return operator === '||' ? () => false : () => true;
  const names = tests.map((_, i) => `t${i}`);
  const body = operator === '!' ? '!t0(d)' : names.map((n) => `${n}(d)`).join(` ${operator} `);
  return new Function(...names, `return function combined(d) { return ${body}; };`)(...tests) as Test;
}

function compileCondition(condition: FieldCondition): Test {
  if (condition.exists === false) {
    // Absent, and nothing else asked of it.
    const present = fieldTest(condition.field, () => true);
    return (d) => !present(d);
  }
  const checks = valueChecks(condition);
  // `exists: true` alone: any value will do.
  if (checks.length === 0) return fieldTest(condition.field, () => true);
  return combine(
    checks.map((check) => fieldTest(condition.field, check)),
    '&&',
  );
}

type ValueCheck = (value: unknown) => boolean;

function valueChecks(c: FieldCondition): ValueCheck[] {
  const fold = c.ignoreCase === true;
  const text = (v: unknown): string | undefined => {
    if (typeof v === 'string') return fold ? v.toLowerCase() : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  };
  const key = (s: Scalar) => (typeof s === 'string' && fold ? s.toLowerCase() : String(s));
  const checks: ValueCheck[] = [];
  if (c.equals !== undefined) {
    const wanted = key(c.equals);
    checks.push((v) => text(v) === wanted);
  }
  if (c.in !== undefined) {
    const wanted = new Set(c.in.map(key));
    checks.push((v) => {
      const t = text(v);
      return t !== undefined && wanted.has(t);
    });
  }
  const number = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '') {
      const n = Number(v);
      return Number.isFinite(n) ? n : undefined;
    }
    return undefined;
  };
  const { gt, gte, lt, lte } = c;
  if (gt !== undefined) checks.push((v) => (number(v) ?? -Infinity) > gt);
  if (gte !== undefined) checks.push((v) => (number(v) ?? -Infinity) >= gte);
  if (lt !== undefined) checks.push((v) => (number(v) ?? Infinity) < lt);
  if (lte !== undefined) checks.push((v) => (number(v) ?? Infinity) <= lte);
  if (c.matches !== undefined) {
    // The value is lower-cased under ignoreCase; the pattern must not be case-sensitive then.
    const pattern = new RegExp(c.matches, fold ? 'i' : '');
    checks.push((v) => {
      const t = text(v);
      return t !== undefined && pattern.test(t);
    });
  }
  if (c.contains !== undefined) {
    const part = fold ? c.contains.toLowerCase() : c.contains;
    checks.push((v) => text(v)?.includes(part) === true);
  }
  if (c.startsWith !== undefined) {
    const prefix = fold ? c.startsWith.toLowerCase() : c.startsWith;
    checks.push((v) => text(v)?.startsWith(prefix) === true);
  }
  if (c.cidr !== undefined) {
    const blocks = c.cidr.map((b) => parseCidr(b)).filter((b) => b !== undefined);
    checks.push((v) => {
      if (typeof v !== 'string') return false;
      const inner = parseCidr(v) ?? undefined;
      if (!inner) return false;
      return blocks.some((b) => within(inner, b));
    });
  }
  return checks;
}

/** Is block `inner` (an address is a /32 or /128) entirely inside `outer`? */
function within(
  inner: { bits: bigint; width: number; prefix: number },
  outer: { bits: bigint; width: number; prefix: number },
): boolean {
  if (inner.width !== outer.width || inner.prefix < outer.prefix) return false;
  const shift = BigInt(outer.width - outer.prefix);
  return inner.bits >> shift === outer.bits >> shift;
}

/** Exposed for tests: whether `address` is an IP this module understands. */
export const isIp = (address: string): boolean => parseIp(address) !== undefined;
