"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { CheckboxField, Field, SelectField } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import { regionLabel } from "@/lib/labels";

type Action = (
  prev: ActionResult<unknown> | null,
  form: FormData,
) => Promise<ActionResult<unknown>>;

/**
 * Up and down as two buttons (no dragging): each a form of its own, reachable with Tab and
 * pressed with Enter or Space, labelled "Move <name> up". The first item has no "up".
 */
export function MoveButtons({
  action,
  id,
  name,
  first,
  last,
}: {
  action: Action;
  id: string;
  name: string;
  first: boolean;
  last: boolean;
}) {
  return (
    <div className="flex gap-1">
      {(["up", "down"] as const).map((direction) => (
        <ActionForm key={direction} action={action} label={`Move ${name} ${direction}`}>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="direction" value={direction} />
          <SubmitButton
            variant="secondary"
            aria-label={`Move ${name} ${direction}`}
            disabled={direction === "up" ? first : last}
          >
            <span aria-hidden="true">{direction === "up" ? "↑" : "↓"}</span>
          </SubmitButton>
        </ActionForm>
      ))}
    </div>
  );
}

export function RemoveButton({
  action,
  id,
  label,
  confirmText,
}: {
  action: Action;
  id: string;
  label: string;
  confirmText: string;
}) {
  return (
    <ActionForm action={action} label={label}>
      <input type="hidden" name="id" value={id} />
      <ConfirmSubmit aria-label={label} question={confirmText} confirm={label}>
        {label.split(" ")[0]}
      </ConfirmSubmit>
    </ActionForm>
  );
}

export function GroupForm({
  action,
  group,
}: {
  action: Action;
  group?: { id: string; name: string };
}) {
  return (
    <ActionForm
      action={action}
      label={group ? `Edit group ${group.name}` : "Add a group"}
      className="flex flex-wrap items-end gap-2"
    >
      {group && <input type="hidden" name="id" value={group.id} />}
      <Field label="Group name" name="name" defaultValue={group?.name ?? ""} required />
      <SubmitButton variant={group ? "secondary" : "primary"}>
        {group ? "Save" : "Add group"}
      </SubmitButton>
    </ActionForm>
  );
}

export function ComponentForm({
  action,
  groups,
  component,
}: {
  action: Action;
  groups: { id: string; name: string }[];
  component?: {
    id: string;
    name: string;
    description: string;
    groupId: string | null;
    showcase: boolean;
    onlyShowIfDegraded: boolean;
  };
}) {
  return (
    <ActionForm
      action={action}
      label={component ? `Edit component ${component.name}` : "Add a component"}
      className="grid gap-2 sm:grid-cols-2"
    >
      {component && <input type="hidden" name="id" value={component.id} />}
      <Field label="Name" name="name" defaultValue={component?.name ?? ""} required />
      <Field label="Description" name="description" defaultValue={component?.description ?? ""} />
      <SelectField
        label="Group"
        name="groupId"
        defaultValue={component?.groupId ?? ""}
        options={[
          { value: "", label: "No group (listed under “Other”)" },
          ...groups.map((g) => ({ value: g.id, label: g.name })),
        ]}
      />
      <div className="space-y-1 text-sm">
        <CheckboxField
          label="Show uptime bars (showcase)"
          name="showcase"
          defaultChecked={component?.showcase ?? true}
        />
        <CheckboxField
          label="Only show while degraded"
          name="onlyShowIfDegraded"
          defaultChecked={component?.onlyShowIfDegraded ?? false}
        />
      </div>
      <div>
        <SubmitButton variant={component ? "secondary" : "primary"}>
          {component ? "Save" : "Add component"}
        </SubmitButton>
      </div>
    </ActionForm>
  );
}

export function RegionForm({
  action,
  region,
}: {
  action: Action;
  region?: { id: string; code: string; name: string };
}) {
  return (
    <ActionForm
      action={action}
      label={region ? `Edit region ${region.code}` : "Add a region"}
      className="flex flex-wrap items-end gap-2"
    >
      {region && <input type="hidden" name="id" value={region.id} />}
      <Field
        label="Code"
        name="code"
        defaultValue={region?.code ?? ""}
        required
        hint="2–12 letters or digits, e.g. BOM"
      />
      <Field label="Name" name="name" defaultValue={region?.name ?? ""} required />
      <SubmitButton variant={region ? "secondary" : "primary"}>
        {region ? "Save" : "Add region"}
      </SubmitButton>
    </ActionForm>
  );
}

/** Which components run in which regions: one labelled checkbox per pair, saved together. */
export function CellsForm({
  action,
  components,
  regions,
  cells,
}: {
  action: Action;
  components: { id: string; name: string }[];
  regions: { id: string; code: string; name: string }[];
  cells: string[];
}) {
  const real = new Set(cells);
  return (
    <ActionForm action={action} label="Where each component runs" className="space-y-3">
      <div className="scroll-x">
        <table className="text-sm">
          <caption className="sr-only">Tick each region a component runs in</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-2 text-left font-medium">
                Component
              </th>
              {regions.map((r) => (
                <th key={r.id} scope="col" className="px-2 font-medium">
                  {regionLabel(r)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {components.map((c) => (
              <tr key={c.id}>
                <th scope="row" className="pr-2 text-left font-normal whitespace-nowrap">
                  <input type="hidden" name="component" value={c.id} />
                  {c.name}
                </th>
                {regions.map((r) => (
                  <td key={r.id} className="px-2 text-center">
                    <input
                      type="checkbox"
                      name="cell"
                      value={`${c.id}:${r.id}`}
                      defaultChecked={real.has(`${c.id}:${r.id}`)}
                      aria-label={`${c.name} runs in ${r.name}`}
                      className="size-4"
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SubmitButton>Save where components run</SubmitButton>
    </ActionForm>
  );
}
