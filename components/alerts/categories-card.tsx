import { ALERT_CATEGORIES, type CategoryToggles } from "@/db/schema";
import { CATEGORY_LABELS } from "@/lib/labels";
import { Card } from "@/components/ui/card";
import { KeptCheckbox } from "@/components/ui/field";
import { SettingsForm, type FormAction } from "./forms";
import { CHECKBOX } from "./styles";

/** Which incident categories the tenant hears about at all: one switch each. */
export function CategoriesCard({
  categories,
  manage,
  save,
}: {
  categories: CategoryToggles;
  manage: boolean;
  save: FormAction;
}) {
  return (
    <Card title="Incident Categories">
      <SettingsForm action={save} label="Incident categories" submit="Save" disabled={!manage}>
        <fieldset disabled={manage ? undefined : true} className="flex flex-wrap gap-6">
          {ALERT_CATEGORIES.map((c) => (
            <label key={c} className="flex items-center gap-2 text-sm">
              <KeptCheckbox
                role="switch"
                name={`category.${c}`}
                defaultChecked={categories[c]}
                className={CHECKBOX}
              />
              {CATEGORY_LABELS[c]}
            </label>
          ))}
        </fieldset>
      </SettingsForm>
    </Card>
  );
}
