import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { can } from "@/lib/context";
import { readCatalog } from "@/lib/catalog/read";
import { listAudienceTenants, listIncidentsFor, listMaintenancesFor } from "@/lib/incidents/list";
import { listIncidentTemplates } from "@/lib/incidents/templates";
import { Card, PageHeader } from "@/components/ui/card";
import {
  AdvanceMaintenanceForm,
  EditMaintenanceForms,
  OpenIncidentForm,
  ScheduleMaintenanceForm,
} from "@/components/incidents/forms";
import { LocalTime } from "@/components/status/local-time";
import { statusWord } from "@/components/status/incident-timeline";
import {
  advanceMaintenanceAction,
  cancelMaintenanceAction,
  editMaintenanceAction,
  openIncidentAction,
  scheduleMaintenanceAction,
} from "./actions";

export const metadata: Metadata = { title: "Incidents" };

export default async function IncidentsConsole() {
  const ctx = await requirePageCtx("incidents:read", "/portal/incidents");
  const canWrite = can(ctx, "incidents:write");
  const canMaintain = can(ctx, "maintenance:write");
  const [incidents, maintenances, catalog, tenants, templates] = await Promise.all([
    listIncidentsFor({ ctx, input: { limit: 50 } }),
    listMaintenancesFor({ ctx, input: { limit: 25 } }),
    readCatalog(ctx.db),
    canWrite ? listAudienceTenants({ ctx }) : Promise.resolve([]),
    canWrite ? listIncidentTemplates({ ctx }) : Promise.resolve([]),
  ]);
  const componentsList = catalog.groups.flatMap((g) =>
    g.components.map((c) => ({ id: c.id, name: c.name })),
  );
  const regionsList = catalog.regions.map((r) => ({ id: r.id, code: r.code, name: r.name }));
  const tenantName = (id: string | null) => tenants.find((t) => t.id === id)?.name ?? "one tenant";
  const open = incidents.filter((i) => i.status !== "resolved");
  const resolved = incidents.filter((i) => i.status === "resolved");

  const row = (i: (typeof incidents)[number]) => (
    <li key={i.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2">
      <Link
        href={`/portal/incidents/${i.id}`}
        className="font-medium text-sky-700 hover:underline dark:text-sky-400"
      >
        {i.title}
      </Link>
      <span className="text-sm text-slate-600 dark:text-slate-400">
        {statusWord(i.status)} · {i.impact} · {i.category}
        {i.tenantOnly
          ? ` · ${canWrite ? `${tenantName(i.audienceOrgId)} only` : "your organization only"}`
          : " · public"}{" "}
        · <LocalTime iso={i.startedAt} />
      </span>
    </li>
  );

  return (
    <div className="space-y-6">
      <PageHeader
        title="Incidents"
        description={
          canWrite
            ? "Open incidents, post updates and schedule maintenance. Every change is audited and shows on the status page at once."
            : "Incidents that affect your organization, public and visible only to you."
        }
      />
      <Card title={`Open incidents (${open.length})`}>
        {open.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No open incidents.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">{open.map(row)}</ul>
        )}
      </Card>
      {canWrite && (
        <Card title="Open an incident">
          <OpenIncidentForm
            action={openIncidentAction}
            tenants={tenants}
            templates={templates}
            components={componentsList}
            regions={regionsList}
            cells={catalog.cells}
          />
        </Card>
      )}
      <Card title="Maintenance">
        {maintenances.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No maintenance scheduled.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {maintenances.map((m) => (
              <li key={m.id} className="py-3">
                <p>
                  <Link href={`/maintenances/${m.id}`} className="font-medium hover:underline">
                    {m.title}
                  </Link>{" "}
                  <span className="text-sm text-slate-600 dark:text-slate-400">
                    {m.cancelledAt ? "Cancelled" : statusWord(m.status)} ·{" "}
                    <LocalTime iso={m.scheduledFor} /> – <LocalTime iso={m.scheduledUntil} />
                    {m.tenantOnly ? ` · ${tenantName(m.audienceOrgId)} only` : ""}
                    {m.status !== "completed" && m.automatic ? " · moves on its own" : ""}
                  </span>
                </p>
                {canMaintain && (
                  <>
                    <AdvanceMaintenanceForm
                      action={advanceMaintenanceAction}
                      maintenanceId={m.id}
                      status={m.status}
                      title={m.title}
                    />
                    <EditMaintenanceForms
                      editAction={editMaintenanceAction}
                      cancelAction={cancelMaintenanceAction}
                      maintenanceId={m.id}
                      title={m.title}
                      status={m.status}
                      scheduledFor={m.scheduledFor}
                      scheduledUntil={m.scheduledUntil}
                      automatic={m.automatic}
                      reminderMinutes={m.reminderMinutes}
                    />
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      {canMaintain && (
        <Card title="Schedule maintenance">
          <ScheduleMaintenanceForm
            action={scheduleMaintenanceAction}
            tenants={tenants}
            components={componentsList}
            regions={regionsList}
            cells={catalog.cells}
          />
        </Card>
      )}
      <Card title="Recently resolved">
        {resolved.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">Nothing resolved yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">{resolved.map(row)}</ul>
        )}
      </Card>
    </div>
  );
}
