import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { listCatalog } from "@/lib/catalog/manage";
import { Card, PageHeader } from "@/components/ui/card";
import {
  CellsForm,
  ComponentForm,
  GroupForm,
  MoveButtons,
  RegionForm,
  RemoveButton,
} from "@/components/portal/catalog";
import {
  createComponentAction,
  createGroupAction,
  createRegionAction,
  deleteGroupAction,
  moveComponentAction,
  moveGroupAction,
  moveRegionAction,
  removeComponentAction,
  removeRegionAction,
  saveCellsAction,
  updateComponentAction,
  updateGroupAction,
  updateRegionAction,
} from "./actions";

export const metadata: Metadata = { title: "Catalog" };

const when = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
const REMOVE_NOTE =
  "Remove it from the status page? With incident or maintenance history it is archived (its incidents and uptime keep it); without, it is deleted.";

export default async function CatalogPage() {
  const ctx = await requirePageCtx("components:manage", "/portal/catalog");
  const catalog = await listCatalog({ ctx });
  const live = catalog.components.filter((c) => !c.archivedAt);
  const regions = catalog.regions.filter((r) => !r.archivedAt);
  const archived = [
    ...catalog.components.filter((c) => c.archivedAt).map((c) => ({ ...c, kind: "Component" })),
    ...catalog.regions
      .filter((r) => r.archivedAt)
      .map((r) => ({ ...r, name: `${r.name} (${r.code})`, kind: "Region" })),
  ];
  const sections = [
    ...catalog.groups.map((g) => ({
      id: g.id,
      name: g.name,
      members: live.filter((c) => c.groupId === g.id),
    })),
    { id: "none", name: "No group", members: live.filter((c) => !c.groupId) },
  ].filter((s) => s.members.length > 0);
  const groups = catalog.groups.map((g) => ({ id: g.id, name: g.name }));
  return (
    <div className="space-y-6">
      <PageHeader
        title="Catalog"
        description="What the public status page shows: components in groups, regions (POPs), and which components run in which regions. Changes show on the status page at once."
      />

      <Card title="Groups">
        <ul className="mb-4 divide-y divide-slate-200 dark:divide-slate-800">
          {catalog.groups.map((g, i) => (
            <li key={g.id} className="flex flex-wrap items-end justify-between gap-2 py-2">
              <GroupForm action={updateGroupAction} group={g} />
              <div className="flex gap-2">
                <MoveButtons
                  action={moveGroupAction}
                  id={g.id}
                  name={g.name}
                  first={i === 0}
                  last={i === catalog.groups.length - 1}
                />
                <RemoveButton
                  action={deleteGroupAction}
                  id={g.id}
                  label={`Delete group ${g.name}`}
                  confirmText="Delete this group? Its components stay, listed under “Other”."
                />
              </div>
            </li>
          ))}
        </ul>
        <GroupForm action={createGroupAction} />
      </Card>

      <Card title="Components">
        {sections.map((s) => (
          <div key={s.id} className="mb-6">
            <h3 className="mb-2 text-sm font-semibold text-slate-600 dark:text-slate-400">
              {s.name}
            </h3>
            <ul className="divide-y divide-slate-200 dark:divide-slate-800">
              {s.members.map((c, i) => (
                <li key={c.id} className="space-y-2 py-3">
                  <ComponentForm action={updateComponentAction} groups={groups} component={c} />
                  <div className="flex gap-2">
                    <MoveButtons
                      action={moveComponentAction}
                      id={c.id}
                      name={c.name}
                      first={i === 0}
                      last={i === s.members.length - 1}
                    />
                    <RemoveButton
                      action={removeComponentAction}
                      id={c.id}
                      label={`Remove component ${c.name}`}
                      confirmText={REMOVE_NOTE}
                    />
                  </div>
                </li>
              ))}
            </ul>
          </div>
        ))}
        <h3 className="mb-2 text-sm font-semibold">Add a component</h3>
        <ComponentForm action={createComponentAction} groups={groups} />
      </Card>

      <Card title="Regions">
        <ul className="mb-4 divide-y divide-slate-200 dark:divide-slate-800">
          {regions.map((r, i) => (
            <li key={r.id} className="flex flex-wrap items-end justify-between gap-2 py-2">
              <RegionForm action={updateRegionAction} region={r} />
              <div className="flex gap-2">
                <MoveButtons
                  action={moveRegionAction}
                  id={r.id}
                  name={r.name}
                  first={i === 0}
                  last={i === regions.length - 1}
                />
                <RemoveButton
                  action={removeRegionAction}
                  id={r.id}
                  label={`Remove region ${r.code}`}
                  confirmText={REMOVE_NOTE}
                />
              </div>
            </li>
          ))}
        </ul>
        <RegionForm action={createRegionAction} />
      </Card>

      <Card title="Where each component runs">
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
          The status page shows only these cells, and incidents and maintenance can name only them.
          A cell taken away that has history is archived, so past incidents and uptime keep it.
        </p>
        <CellsForm
          action={saveCellsAction}
          components={live.map((c) => ({ id: c.id, name: c.name }))}
          regions={regions}
          cells={live.flatMap((c) => c.regionIds.map((r) => `${c.id}:${r}`))}
        />
      </Card>

      {archived.length > 0 && (
        <Card title="Archived">
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            Off the status page; still named by their incidents and counted in uptime up to when
            they were archived.
          </p>
          <ul className="text-sm">
            {archived.map((a) => (
              <li key={a.id}>
                {a.kind} {a.name}, archived {when(a.archivedAt!)}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
