// ISO-8601 formatting is on the hot path (flow logs carry three timestamps per record) and
// Date#toISOString costs an allocation plus a generic formatter. This formats epoch milliseconds
// with integer arithmetic instead, and remembers the last two answers (a flow log's window start
// and end repeat across the records of a payload).

const MS_PER_DAY = 86_400_000;
// 0001-01-01 and 9999-12-31: inside this range the output is exactly toISOString's.
const MIN_FAST_MS = -62_135_596_800_000;
const MAX_FAST_MS = 253_402_300_799_999;

/**
 * `new Date(ms).toISOString()` for ms within years 1–9999, by Howard Hinnant's days-to-civil
 * algorithm (https://howardhinnant.github.io/date_algorithms.html#civil_from_days).
 */
export function formatIso(ms: number): string {
  if (!(ms >= MIN_FAST_MS && ms <= MAX_FAST_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;

  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  // One flat string from its character codes. Concatenating 13 pieces gives a rope, which every
  // reader (a rule's time window, JSON.stringify) must first flatten into a copy.
  return String.fromCharCode(
    digit(year / 1000),
    digit(year / 100),
    digit(year / 10),
    digit(year),
    0x2d,
    digit(month / 10),
    digit(month),
    0x2d,
    digit(day / 10),
    digit(day),
    0x54,
    digit(hours / 10),
    digit(hours),
    0x3a,
    digit(minutes / 10),
    digit(minutes),
    0x3a,
    digit(seconds / 10),
    digit(seconds),
    0x2e,
    digit(millis / 100),
    digit(millis / 10),
    digit(millis),
    0x5a,
  );
}

/** The character code of the last decimal digit of the integer part of `n` (n ≥ 0). */
const digit = (n: number): number => 0x30 + (Math.floor(n) % 10);

let time0 = Number.NaN;
let iso0 = '';
let time1 = Number.NaN;
let iso1 = '';

/** {@link formatIso}, remembering the last two answers; `ms` must be a valid Date time. */
export function isoTime(ms: number): string {
  if (ms === time0) return iso0;
  if (ms === time1) return iso1;
  time1 = time0;
  iso1 = iso0;
  time0 = ms;
  iso0 = formatIso(ms);
  return iso0;
}
