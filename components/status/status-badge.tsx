import type { ComponentStatus } from "@/db/schema";
import { STATUS_LABELS } from "@/lib/status/derive";

export const STATUS_TEXT: Record<ComponentStatus, string> = {
  operational: "text-emerald-700 dark:text-emerald-400",
  under_maintenance: "text-sky-700 dark:text-sky-400",
  degraded_performance: "text-amber-700 dark:text-amber-300",
  partial_outage: "text-orange-700 dark:text-orange-300",
  major_outage: "text-red-700 dark:text-red-400",
};
// A shape as well as a colour, so status never depends on colour vision.
const ICON: Record<ComponentStatus, string> = {
  operational: "✓",
  under_maintenance: "⚙",
  degraded_performance: "◐",
  partial_outage: "!",
  major_outage: "✕",
};

export function StatusLabel({
  status,
  compact = false,
  text,
}: {
  status: ComponentStatus;
  compact?: boolean;
  /** The words, when they say more than the status ("Major outage in Mumbai"). */
  text?: string;
}) {
  const words = text ?? STATUS_LABELS[status];
  return (
    <span className={`inline-flex items-center gap-1 text-sm font-medium ${STATUS_TEXT[status]}`}>
      <span aria-hidden="true">{ICON[status]}</span>
      {compact ? <span className="sr-only">{words}</span> : words}
    </span>
  );
}
