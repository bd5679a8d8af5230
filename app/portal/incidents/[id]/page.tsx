import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageCtx } from "@/app/_server/ctx";
import { can } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";
import { readCatalog } from "@/lib/catalog/read";
import { getIncidentFor, listAudienceTenants } from "@/lib/incidents/list";
import { STATUS_LABELS } from "@/lib/status/derive";
import { Card, PageHeader, PublicPageLink } from "@/components/ui/card";
import { FanoutProgress, RefreshIncidentLive } from "@/components/alerts/fanout-progress";
import { IncidentDeliveries } from "@/components/alerts/incident-deliveries";
import {
  BackfillForm,
  EditUpdateForm,
  PostmortemForm,
  PostUpdateForm,
  ReopenForm,
} from "@/components/incidents/forms";
import { LocalTime } from "@/components/status/local-time";
import { IncidentCard } from "@/components/status/incident-timeline";
import {
  backfillIncidentAction,
  editUpdateAction,
  postmortemAction,
  postUpdateAction,
  reopenIncidentAction,
} from "../actions";
import { OnCallCard } from "@/components/oncall/oncall-card";
import { incidentOnCall } from "@/lib/oncall/policies";
import { acknowledgeIncidentAction } from "../../oncall/actions";

export const metadata: Metadata = { title: "Incident" };

export default async function IncidentConsolePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageCtx("incidents:read", `/portal/incidents/${id}`);
  const incident = await getIncidentFor({ ctx, input: { incidentId: id } }).catch((e) => {
    if (e instanceof NotFoundError || (e as { code?: string }).code === "validation_failed")
      notFound();
    throw e;
  });
  const catalog = await readCatalog(ctx.db);
  const components = catalog.groups.flatMap((g) =>
    g.components.map((c) => ({ id: c.id, name: c.name })),
  );
  const regions = catalog.regions.map((r) => ({ id: r.id, code: r.code, name: r.name }));
  const current = Object.fromEntries(
    incident.cells.map((c) => [`${c.componentId}:${c.regionId}`, STATUS_LABELS[c.status]]),
  );
  const canWrite = can(ctx, "incidents:write");
  const readsDeliveries = can(ctx, "deliveries:read");
  const tenantName =
    ctx.org.kind === "tenant"
      ? ctx.org.name
      : canWrite && incident.audienceOrgId
        ? (await listAudienceTenants({ ctx })).find((t) => t.id === incident.audienceOrgId)?.name
        : undefined;
  const onCall = await incidentOnCall({ ctx, input: { incidentId: incident.id } });
  return (
    <div className="space-y-6">
      <PageHeader
        title={incident.title}
        description={<PublicPageLink path={`/incidents/${incident.id}`} />}
      />
      <RefreshIncidentLive
        incidentId={incident.id}
        version={`${incident.status}:${incident.updates.length}`}
      />
      {canWrite && (
        <Card title="Alerts">
          <FanoutProgress incidentId={incident.id} />
        </Card>
      )}
      {ctx.org.kind === "platform" && readsDeliveries && (
        <Card title="Who was alerted">
          <IncidentDeliveries incidentId={incident.id} />
        </Card>
      )}
      {readsDeliveries && (
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <Link
            href={`/portal/deliveries?incident=${incident.id}`}
            className="text-sky-700 hover:underline dark:text-sky-400"
          >
            This incident&apos;s deliveries
            {ctx.org.kind === "tenant" ? ` to ${ctx.org.name}` : ""}
          </Link>
          <Link
            href={`/portal/deliveries?explain=${incident.id}#explain`}
            className="text-sky-700 hover:underline dark:text-sky-400"
          >
            Why did or didn&apos;t this incident&apos;s alert reach someone?
          </Link>
          {can(ctx, "tickets:raise") && (
            <Link
              href={`/portal/support/new?incident=${incident.id}`}
              className="text-sky-700 hover:underline dark:text-sky-400"
            >
              Raise a ticket about this incident
            </Link>
          )}
        </p>
      )}
      <OnCallCard
        incidentId={incident.id}
        escalations={onCall.escalations}
        events={onCall.events}
        acknowledge={canWrite ? acknowledgeIncidentAction : undefined}
      />
      <IncidentCard
        incident={incident}
        names={{ ...catalog.names, tenantName, regionCodes: true }}
        headingLevel={2}
        link={false}
      />
      {canWrite && incident.updates.length > 0 && (
        <Card title="Correct an update">
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            Fixes the wording of an update already posted. The page marks it edited, the audit log
            keeps the original, and nobody is notified again.
          </p>
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {incident.updates.map((u) => (
              <li key={u.id} className="py-2">
                <details>
                  <summary className="cursor-pointer text-sm text-sky-700 dark:text-sky-400">
                    Edit the update of <LocalTime iso={u.createdAt} />
                  </summary>
                  <div className="pt-2">
                    <EditUpdateForm
                      action={editUpdateAction}
                      incidentId={incident.id}
                      updateId={u.id}
                      message={u.message}
                    />
                  </div>
                </details>
              </li>
            ))}
          </ul>
        </Card>
      )}
      {canWrite && incident.status !== "resolved" && (
        <Card title="Post an update">
          <PostUpdateForm
            action={postUpdateAction}
            incidentId={incident.id}
            status={incident.status}
            current={current}
            components={components}
            regions={regions}
            cells={catalog.cells}
          />
        </Card>
      )}
      {canWrite && incident.status === "resolved" && (
        <>
          <Card title="Postmortem">
            <PostmortemForm
              action={postmortemAction}
              incidentId={incident.id}
              current={incident.postmortem}
            />
          </Card>
          {incident.resolvedAt && (
            <Card title="Real start and end">
              <BackfillForm
                action={backfillIncidentAction}
                incidentId={incident.id}
                startedAt={incident.startedAt}
                resolvedAt={incident.resolvedAt}
              />
            </Card>
          )}
          <Card title="Reopen">
            <ReopenForm
              action={reopenIncidentAction}
              incidentId={incident.id}
              components={components}
              regions={regions}
              cells={catalog.cells}
            />
          </Card>
        </>
      )}
      <Link
        href="/portal/incidents"
        className="text-sm text-sky-700 hover:underline dark:text-sky-400"
      >
        ← All incidents
      </Link>
    </div>
  );
}
