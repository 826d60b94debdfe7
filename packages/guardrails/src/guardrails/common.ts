// Small helpers shared by the guardrails' checks and their violation messages.
import type { CheckContext } from '../define.ts';
import { Unknown } from '../inputs.ts';

/** How a message shows an input's current value: `not set`, `"NONE"`, `false`, `0`. */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return 'not set';
  return JSON.stringify(value);
}

/** Quotes and joins names for a message: `"a", "b", "c"`. */
export function quotedList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/**
 * Reports unless a boolean input is `true` (`fix` says what to set); returns whether it is. An unknown
 * value is skipped, and returns false so that checks depending on it are skipped too.
 */
export function requireTrue(
  context: CheckContext<object>,
  value: unknown,
  field: string,
  fix: string,
): boolean {
  if (value instanceof Unknown) {
    context.skip(value);
    return false;
  }
  if (value === true) return true;
  context.report(`${field} is ${shown(value)}: ${fix}`);
  return false;
}
