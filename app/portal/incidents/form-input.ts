/**
 * The incident forms' own shapes (app/_server/form.ts reads the plain fields). Shape only: every
 * rule is the verb's.
 */
export function cellsFromForm(form: FormData, { onlyStatus }: { onlyStatus?: boolean } = {}) {
  const cells: { componentId: string; regionId: string; status?: string }[] = [];
  for (const [key, value] of form.entries()) {
    if (!key.startsWith("cell:") || typeof value !== "string" || value === "") continue;
    const [, componentId, regionId] = key.split(":");
    cells.push(
      onlyStatus
        ? { componentId: componentId!, regionId: regionId! }
        : { componentId: componentId!, regionId: regionId!, status: value },
    );
  }
  return cells;
}

/** datetime-local has no zone; the console labels these fields UTC. */
export const utcLocal = (v: string | undefined) => {
  if (!v) return v;
  return /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.length === 16 ? `${v}:00` : v}Z`;
};

/** "1440, 60" → [1440, 60]; anything not a whole number is passed on for the verb to name. */
export function reminderMinutesFromForm(v: string | undefined): unknown[] {
  return (v ?? "")
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
