/**
 * FormData → verb input for the console's forms. Shape only: every rule is the verb's.
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

export const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
};

/** "" from a select means "none" (public audience). */
export const nullable = (form: FormData, name: string) => text(form, name) || null;

export const checked = (form: FormData, name: string) => form.get(name) === "on";

/** datetime-local has no zone; the console labels these fields UTC. */
export const utcLocal = (form: FormData, name: string) => {
  const v = text(form, name);
  if (!v) return v;
  return /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.length === 16 ? `${v}:00` : v}Z`;
};
