import { DIGEST_MODES, IMPACTS, type DigestMode } from "@/db/schema";
import { DIGEST_LABELS, MIN_IMPACT_LABELS, regionLabel } from "@/lib/labels";
import type { AlertSettingsView, FiltersView } from "@/lib/alerts/settings";
import { Card } from "@/components/ui/card";
import { Field, SelectField } from "@/components/ui/field";
import { SettingsForm, type FormAction } from "./forms";
import { CHECKBOX } from "./styles";

interface CatalogOption {
  id: string;
  name: string;
}

/** Tenant-wide filters (components, regions, minimum severity), digests and quiet hours. */
export function NoiseControlCard({
  filters,
  digestMode,
  quietHours,
  components,
  regions,
  manage,
  save,
}: {
  filters: FiltersView;
  digestMode: DigestMode;
  quietHours: AlertSettingsView["quietHours"];
  components: CatalogOption[];
  regions: (CatalogOption & { code: string })[];
  manage: boolean;
  save: FormAction;
}) {
  return (
    <Card title="Filters and noise control">
      <SettingsForm
        action={save}
        label="Filters and noise control"
        submit="Save"
        labels={{
          "filters.componentIds": "Components",
          "filters.regionIds": "Regions",
          filters: "Filters",
          quietHours: "Quiet hours",
        }}
        disabled={!manage}
      >
        <fieldset disabled={manage ? undefined : true} className="grid gap-6 md:grid-cols-2">
          <div>
            <p className="mb-2 text-sm font-medium">Components (none ticked: all)</p>
            {components.map((c) => (
              <label key={c.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="componentIds"
                  value={c.id}
                  defaultChecked={filters.componentIds.includes(c.id)}
                  className={CHECKBOX}
                />
                {c.name}
              </label>
            ))}
          </div>
          <div>
            <p className="mb-2 text-sm font-medium">Regions (none ticked: all)</p>
            {regions.map((r) => (
              <label key={r.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="regionIds"
                  value={r.id}
                  defaultChecked={filters.regionIds.includes(r.id)}
                  className={CHECKBOX}
                />
                {regionLabel(r)}
              </label>
            ))}
          </div>
          <SelectField
            label="Minimum severity"
            name="minImpact"
            errorPath="filters.minImpact"
            defaultValue={filters.minImpact}
            options={IMPACTS.map((i) => ({ value: i, label: MIN_IMPACT_LABELS[i] }))}
          />
          <SelectField
            label="Delivery"
            name="digestMode"
            defaultValue={digestMode}
            options={DIGEST_MODES.map((d) => ({ value: d, label: DIGEST_LABELS[d] }))}
          />
          <div className="space-y-3 md:col-span-2">
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                type="checkbox"
                name="quietEnabled"
                defaultChecked={quietHours.enabled}
                className={CHECKBOX}
              />
              Quiet hours (email, SMS, Slack and Teams are held until they end)
            </label>
            <div className="grid gap-3 sm:grid-cols-3">
              <Field
                label="From"
                name="quietStart"
                errorPath="quietHours.start"
                type="time"
                defaultValue={quietHours.start}
              />
              <Field
                label="Until"
                name="quietEnd"
                errorPath="quietHours.end"
                type="time"
                defaultValue={quietHours.end}
              />
              <Field
                label="Time zone"
                name="timeZone"
                errorPath="quietHours.timeZone"
                defaultValue={quietHours.timeZone}
                hint="e.g. Asia/Kolkata"
              />
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="allowCritical"
                defaultChecked={quietHours.allowCritical}
                className={CHECKBOX}
              />
              Let critical alerts through during quiet hours (and past digests)
            </label>
          </div>
        </fieldset>
      </SettingsForm>
    </Card>
  );
}
