import type { Clock } from "@/lib/support/tickets";

const STYLE = {
  running: "text-sky-800 dark:text-sky-300",
  met: "text-emerald-800 dark:text-emerald-300",
  breached: "font-semibold text-red-700 dark:text-red-400",
} as const;

function when(d: Date) {
  return d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** One SLA clock: due when, and whether it was met, is running, or was missed. */
export function ClockText({ label, clock }: { label: string; clock: Clock }) {
  const text =
    clock.state === "met"
      ? `met (${when(clock.at!)})`
      : clock.state === "breached"
        ? clock.at
          ? `missed: due ${when(clock.dueAt)}, done ${when(clock.at)}`
          : `missed: was due ${when(clock.dueAt)}`
        : `due ${when(clock.dueAt)}`;
  return (
    <span className={STYLE[clock.state]}>
      {label} {text}
    </span>
  );
}
