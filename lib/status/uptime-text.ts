/**
 * How the status page words uptime. No imports, so the uptime bars (a client component) use the
 * same words as the server without pulling the schema into the browser.
 */

/** Percent for display, rounded down so any downtime at all shows below 100%. */
export function formatUptime(u: number | null): string {
  if (u === null) return "No data";
  return `${(Math.floor(u * 100_000) / 1000).toFixed(3)}%`;
}

/**
 * How many days a run of daily uptimes was measured over: the days with a value (a day before
 * the component existed has none, null or -1 in the compact form). Today counts, as far as it has
 * gone.
 */
export function measuredDays(uptimes: readonly (number | null)[]): number {
  return uptimes.filter((u) => u !== null && u >= 0).length;
}

/**
 * The uptime figure with the time it was measured over: "99.980% uptime over 12 days" on a page
 * younger than its window, "No data yet" before anything was measured.
 */
export function uptimeFigure(total: number | null, days: number): string {
  if (total === null || days === 0) return "No data yet";
  return `${formatUptime(total)} uptime over ${days} ${days === 1 ? "day" : "days"}`;
}

/** One daily bar's words: "2026-03-10: no data" for a day before the component existed. */
export function dayText(date: string, uptime: number | null, worstWords: string): string {
  if (uptime === null || uptime < 0) return `${date}: no data`;
  return `${date}: ${formatUptime(uptime)} uptime${worstWords ? `, ${worstWords}` : ""}`;
}
