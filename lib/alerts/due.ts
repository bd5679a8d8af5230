/**
 * The bound "due by `now`" compares run_at against, as `run_at < ${dueBefore(now)}::timestamptz`.
 * A JavaScript clock reads whole milliseconds while PostgreSQL stamps microseconds, so a row
 * written with `now()` a moment ago can lie later in the same millisecond than `new Date()`
 * reads: compared with `<=` it would wait for the next sweep instead of going out now.
 */
export function dueBefore(now: Date): string {
  return new Date(now.getTime() + 1).toISOString();
}
