import Link from "next/link";
import type { IncidentView, MaintenanceView, RegionView, ComponentView } from "@/lib/status/read";
import { STATUS_LABELS } from "@/lib/status/derive";
import { regionLabel } from "@/lib/labels";
import { LocalTime } from "./local-time";

const WORDS: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  verifying: "Verifying",
  completed: "Completed",
};
export const PROSE =
  "mt-1 text-sm [&_a]:text-sky-700 [&_a]:underline dark:[&_a]:text-sky-400 [&_ol]:list-decimal [&_ol]:pl-5 [&_p]:mt-1 [&_pre]:overflow-x-auto [&_ul]:list-disc [&_ul]:pl-5";
export const statusWord = (s: string) => WORDS[s] ?? s;

const IMPACT_BORDER: Record<string, string> = {
  none: "border-l-slate-400",
  minor: "border-l-degraded",
  major: "border-l-partial",
  critical: "border-l-major",
  maintenance: "border-l-maintenance",
};

export interface Names {
  components: Pick<ComponentView, "id" | "name">[];
  regions: RegionView[];
  tenantName?: string;
  /** The console names regions by code and city ("BOM · Mumbai"); the public page by city. */
  regionCodes?: boolean;
}

function cellName(names: Names, componentId: string, regionId: string) {
  const c = names.components.find((x) => x.id === componentId)?.name ?? "Component";
  const region = names.regions.find((x) => x.id === regionId);
  const r = region ? (names.regionCodes ? regionLabel(region) : region.name) : "region";
  return `${c} in ${r}`;
}

export function TenantOnlyNote({ name }: { name?: string }) {
  return (
    <p className="inline-block rounded bg-violet-100 px-2 py-0.5 text-xs font-medium text-violet-900 dark:bg-violet-950 dark:text-violet-200">
      Visible only to {name ?? "your organization"}
    </p>
  );
}

export function IncidentCard({
  incident,
  names,
  headingLevel = 3,
  link = true,
}: {
  incident: IncidentView;
  names: Names;
  headingLevel?: 2 | 3;
  link?: boolean;
}) {
  const H = headingLevel === 2 ? "h2" : "h3";
  return (
    <article
      className={`rounded-lg border border-l-4 border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900 ${IMPACT_BORDER[incident.impact]}`}
    >
      <H className="text-lg font-semibold">
        {link ? (
          <Link href={`/incidents/${incident.id}`} className="hover:underline">
            {incident.title}
          </Link>
        ) : (
          incident.title
        )}
      </H>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        {statusWord(incident.status)} · impact {incident.impact}
        {incident.cells.length > 0 && (
          <>
            {" "}
            · affects{" "}
            {[
              ...new Set(incident.cells.map((c) => cellName(names, c.componentId, c.regionId))),
            ].join(", ")}
          </>
        )}
      </p>
      {incident.tenantOnly && <TenantOnlyNote name={names.tenantName} />}
      <Timeline updates={incident.updates} names={names} />
      {incident.postmortemHtml && (
        <section className="mt-4 border-t border-slate-200 pt-3 dark:border-slate-800">
          <H className="font-semibold">Postmortem</H>
          <div className={PROSE} dangerouslySetInnerHTML={{ __html: incident.postmortemHtml }} />
        </section>
      )}
    </article>
  );
}

function Timeline({
  updates,
  names,
}: {
  updates: IncidentView["updates"] | MaintenanceView["updates"];
  names: Names;
}) {
  return (
    <ol className="mt-3 space-y-3" aria-label="Updates, newest first">
      {updates.map((u) => (
        <li key={u.id} className="border-l-2 border-slate-200 pl-3 dark:border-slate-700">
          <p className="text-sm">
            <strong>
              {"kind" in u && u.kind === "reopen"
                ? `Reopened · ${statusWord(u.status)}`
                : statusWord(u.status)}
            </strong>{" "}
            <span className="text-slate-500 dark:text-slate-400">
              <LocalTime iso={u.createdAt} />
              {"editedAt" in u && u.editedAt && (
                <span className="text-xs">
                  {" "}
                  · edited <LocalTime iso={u.editedAt} />
                </span>
              )}
            </span>
          </p>
          {/* messageHtml is sanitised when written (lib/markdown.ts). */}
          <div className={PROSE} dangerouslySetInnerHTML={{ __html: u.messageHtml }} />
          {"cells" in u && u.cells.length > 0 && (
            <ul className="mt-1 text-xs text-slate-500 dark:text-slate-400">
              {u.cells.map((c) => (
                <li key={`${c.componentId}:${c.regionId}`}>
                  {cellName(names, c.componentId, c.regionId)}:{" "}
                  {c.before ? STATUS_LABELS[c.before] : "Added"} → {STATUS_LABELS[c.after]}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

export function MaintenanceCard({
  maintenance,
  names,
  headingLevel = 3,
  link = true,
}: {
  maintenance: MaintenanceView;
  names: Names;
  headingLevel?: 2 | 3;
  link?: boolean;
}) {
  const H = headingLevel === 2 ? "h2" : "h3";
  return (
    <article className="border-l-maintenance rounded-lg border border-l-4 border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <H className="text-lg font-semibold">
        {link ? (
          <Link href={`/maintenances/${maintenance.id}`} className="hover:underline">
            {maintenance.title}
          </Link>
        ) : (
          maintenance.title
        )}
      </H>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        {maintenance.cancelledAt ? "Cancelled" : statusWord(maintenance.status)} ·{" "}
        <LocalTime iso={maintenance.scheduledFor} /> to{" "}
        <LocalTime iso={maintenance.scheduledUntil} />
        {" · "}
        {[
          ...new Set(maintenance.cells.map((c) => cellName(names, c.componentId, c.regionId))),
        ].join(", ")}
      </p>
      {maintenance.tenantOnly && <TenantOnlyNote name={names.tenantName} />}
      <Timeline updates={maintenance.updates} names={names} />
    </article>
  );
}
