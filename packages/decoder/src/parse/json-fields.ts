import { isoTime } from '../time.ts';

/**
 * Narrowing helpers for reading fields out of parsed JSON (`unknown`) without `any` and without
 * throwing: every helper returns `undefined` when the value has another type. Shared by the JSON
 * parsers (CloudTrail, GuardDuty, …).
 */

/** A JSON object. */
export type JsonRecord = Record<string, unknown>;

/** True when `value` is a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a JSON object. */
export function asRecord(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}

/** `value` when it is an array. */
export function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? (value as readonly unknown[]) : undefined;
}

/** `value` when it is a non-empty string: AWS writes `""` for "not applicable" (e.g. `arn` of an IdentityCenterUser). */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sets `target[key]` to `value` when it is a non-empty string (else leaves the key absent). */
export function setString<K extends string>(target: { [P in K]?: string }, key: K, value: unknown): void {
  const text = asString(value);
  if (text !== undefined) target[key] = text;
}

/** `value` as a finite number; numeric strings count, since AWS is not consistent (`"asn": "0"`). */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** `value` as a boolean; `"true"`/`"false"` count (CloudTrail writes `"mfaAuthenticated": "false"`). */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

// ISO 8601 as AWS writes it ("2014-07-16T15:49:27Z", "2022-11-22T12:22:20.934Z"), and the basic
// form CloudTrail uses in old sessionContext.attributes.creationDate ("20131102T010628Z").
// Only these shapes are accepted: Date.parse alone also reads "Oct 8, 2024" in the local time zone.
const ISO_EXTENDED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Epoch milliseconds of an ISO 8601 timestamp string, or undefined. */
export function asEpochMillis(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  let text = value;
  const basic = ISO_BASIC.exec(value);
  if (basic !== null) text = `${basic[1]}-${basic[2]}-${basic[3]}T${basic[4]}:${basic[5]}:${basic[6]}Z`;
  else if (!ISO_EXTENDED.test(value)) return undefined;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? undefined : millis;
}

/** An ISO 8601 timestamp normalized to UTC with milliseconds (`…T12:22:20.000Z`), or undefined. */
export function asIsoTimestamp(value: unknown): string | undefined {
  const millis = asEpochMillis(value);
  return millis === undefined ? undefined : isoTime(millis);
}

/** The parsed JSON of a message: `json` when the caller already parsed it, else `JSON.parse(message)`. */
export function parseJsonOnce(message: string, json: unknown): { ok: true; value: unknown } | { ok: false } {
  if (json !== undefined) return { ok: true, value: json };
  try {
    return { ok: true, value: JSON.parse(message) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * How deep `flattened.*` payloads may nest. Real CloudTrail and GuardDuty payloads stay within
 * about 10 levels; a message can nest thousands deep in 16 KB, and every recursive walk of it
 * (ours, `JSON.stringify`, the indexer's) would overflow the stack.
 */
export const MAX_PAYLOAD_DEPTH = 64;

/** What {@link withoutEmpty} returns for a value nested deeper than {@link MAX_PAYLOAD_DEPTH}. */
export const TOO_DEEP: unique symbol = Symbol('nested too deeply');

/**
 * `value` without `null`s and empty objects `{}`, recursively (as Elastic's pipelines drop them
 * from `flattened.*`); arrays keep their length, empty arrays are kept. Unchanged subtrees are
 * shared with the input, so a clean object costs one walk and no copy. {@link TOO_DEEP} when
 * objects and arrays nest more than {@link MAX_PAYLOAD_DEPTH} levels.
 */
export function withoutEmpty(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (depth === MAX_PAYLOAD_DEPTH) return TOO_DEEP;
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const pruned = withoutEmpty(item, depth + 1);
      if (pruned === TOO_DEEP) return TOO_DEEP;
      if (pruned !== item && copy === undefined) copy = value.slice(0, i) as unknown[];
      if (copy !== undefined) copy.push(pruned === undefined ? null : pruned);
    }
    return copy ?? value;
  }
  if (!isRecord(value)) return value;
  if (depth === MAX_PAYLOAD_DEPTH) return TOO_DEEP;
  let copy: JsonRecord | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = value[key];
    const pruned = item === null ? undefined : withoutEmpty(item, depth + 1);
    if (pruned === TOO_DEEP) return TOO_DEEP;
    if (pruned !== item && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j++) {
        const kept = keys[j] as string;
        setOwn(copy, kept, value[kept]);
      }
    }
    if (copy !== undefined && pruned !== undefined) setOwn(copy, key, pruned);
  }
  const result = copy ?? value;
  return Object.keys(result).length === 0 ? undefined : result;
}

// JSON.parse makes "__proto__" an own key; plain assignment would set the prototype instead.
function setOwn(target: JsonRecord, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** `JSON.parse(text)`, or undefined when it is not JSON (for messages that may or may not be). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
