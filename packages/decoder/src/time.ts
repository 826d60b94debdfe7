// Events of one payload share timestamps more often than not (a flow log's capture window start
// and end, lines written in the same millisecond): remembering the last two conversions skips most
// Date allocations.
let time0 = Number.NaN;
let iso0 = '';
let time1 = Number.NaN;
let iso1 = '';

/** `new Date(ms).toISOString()`, remembering the last two answers; `ms` must be a valid Date time. */
export function isoTime(ms: number): string {
  if (ms === time0) return iso0;
  if (ms === time1) return iso1;
  time1 = time0;
  iso1 = iso0;
  time0 = ms;
  iso0 = new Date(ms).toISOString();
  return iso0;
}
