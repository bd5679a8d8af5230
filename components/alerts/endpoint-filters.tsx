import { IMPACTS } from "@/db/schema";
import { MIN_IMPACT_LABELS } from "@/lib/labels";
import type { FiltersView } from "@/lib/alerts/settings";
import { KeptCheckbox, SelectField } from "@/components/ui/field";
import { CHECKBOX } from "./styles";

export interface CatalogOption {
  id: string;
  name: string;
}

/** "All alerts", or what an endpoint's filters let through: "Voice routing · Mumbai · Major outage and above". */
export function filtersSummary(
  f: FiltersView,
  components: CatalogOption[],
  regions: CatalogOption[],
): string {
  const names = (ids: string[], options: CatalogOption[]) =>
    ids.map((id) => options.find((o) => o.id === id)?.name ?? "a removed item").join(", ");
  const parts = [
    f.componentIds.length ? names(f.componentIds, components) : null,
    f.regionIds.length ? names(f.regionIds, regions) : null,
    f.minImpact !== "none" ? MIN_IMPACT_LABELS[f.minImpact] : null,
  ].filter(Boolean);
  return parts.length ? `only ${parts.join(" · ")}` : "all alerts";
}

/** An endpoint's filters as form fields (componentIds, regionIds, minImpact), for add and edit. */
export function EndpointFilterFields({
  filters,
  components,
  regions,
}: {
  filters?: FiltersView;
  components: CatalogOption[];
  regions: CatalogOption[];
}) {
  return (
    <>
      <fieldset>
        <legend className="mb-2 text-sm font-medium">Components (none ticked: all)</legend>
        {components.map((c) => (
          <label key={c.id} className="flex items-center gap-2 text-sm">
            <KeptCheckbox
              name="componentIds"
              value={c.id}
              defaultChecked={filters?.componentIds.includes(c.id)}
              className={CHECKBOX}
            />
            {c.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend className="mb-2 text-sm font-medium">Regions (none ticked: all)</legend>
        {regions.map((r) => (
          <label key={r.id} className="flex items-center gap-2 text-sm">
            <KeptCheckbox
              name="regionIds"
              value={r.id}
              defaultChecked={filters?.regionIds.includes(r.id)}
              className={CHECKBOX}
            />
            {r.name}
          </label>
        ))}
      </fieldset>
      <SelectField
        label="Minimum impact"
        name="minImpact"
        defaultValue={filters?.minImpact ?? "none"}
        options={IMPACTS.map((i) => ({ value: i, label: MIN_IMPACT_LABELS[i] }))}
      />
    </>
  );
}
