import Link from "next/link";
import type { PageView, StatusView } from "@/lib/status/read";
import type { Indicator } from "@/lib/status/derive";
import { componentStatusText, STATUS_LABELS, worstStatus } from "@/lib/status/derive";
import { compactDays, measuredDays, uptimeFigure } from "@/lib/status/uptime";
import { IncidentCard, MaintenanceCard, type Names } from "./incident-timeline";
import { LocalTime } from "./local-time";
import { StatusLabel } from "./status-badge";
import { RegionDetails } from "./region-details";
import { UptimeBars } from "./uptime-bars";

// White text only on the darker "-strong" shades (4.5:1 or more); dark text on the light ones.
export const BANNER: Record<Indicator, string> = {
  none: "bg-ok-strong text-white",
  minor: "bg-degraded text-slate-950",
  major: "bg-partial text-slate-950",
  critical: "bg-major-strong text-white",
  maintenance: "bg-maintenance-strong text-white",
};

/**
 * The page's header: its name (and logo), on the brand colour when one is set, with text in
 * black or white, whichever contrasts more; then the notice banner, if any. Without settings it
 * is Beacon's plain header. The page's name is its `<h1>`, unless the page has its own (history).
 */
export function StatusHeader({
  page,
  signedIn,
  nameIsHeading = true,
}: {
  page: PageView;
  signedIn: boolean;
  nameIsHeading?: boolean;
}) {
  const Title = nameIsHeading ? "h1" : "div";
  const branded = page.brandColor && page.brandTextColor;
  const navClass = branded
    ? "flex gap-4 text-sm"
    : "flex gap-4 text-sm text-slate-600 dark:text-slate-400";
  return (
    <>
      <header
        className={
          branded
            ? "flex flex-wrap items-center justify-between gap-2 rounded-lg px-4 py-3"
            : "flex flex-wrap items-center justify-between gap-2"
        }
        style={
          branded ? { backgroundColor: page.brandColor!, color: page.brandTextColor! } : undefined
        }
      >
        <Title className="text-2xl font-semibold">
          <Link href="/" className={page.logoUrl ? "flex items-center gap-3" : undefined}>
            {page.logoUrl && (
              // eslint-disable-next-line @next/next/no-img-element -- a stored upload, served as is
              <img src={page.logoUrl} alt="" className="h-8 w-auto" data-testid="status-logo" />
            )}
            {page.name} status
          </Link>
        </Title>
        <nav aria-label="Status page" className={navClass}>
          <Link href="/history" className="hover:underline">
            History
          </Link>
          <a href="/history.atom" className="hover:underline">
            Atom
          </a>
          <a href="/history.rss" className="hover:underline">
            RSS
          </a>
          <Link href="/portal" className="hover:underline">
            {signedIn ? "Portal" : "Sign in"}
          </Link>
        </nav>
      </header>
      {page.noticeHtml && (
        <aside
          aria-label="Notice"
          className="notice rounded-lg border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-slate-900 dark:border-sky-800 dark:bg-sky-950 dark:text-slate-100 [&_a]:underline"
          data-testid="status-notice"
          // Sanitised by lib/markdown.ts when the settings are read.
          dangerouslySetInnerHTML={{ __html: page.noticeHtml }}
        />
      )}
    </>
  );
}

/** The public status page body: banner, incidents, maintenance, components with uptime. */
export function StatusPageBody({ view, tenantName }: { view: StatusView; tenantName?: string }) {
  const names: Names = { ...view.names, tenantName };
  // "Only show if degraded" components stay off the page while operational.
  const shown = view.components.filter((c) => !c.onlyShowIfDegraded || c.status !== "operational");
  const ungrouped = shown.filter((c) => !view.groups.some((g) => g.id === c.groupId));
  const listed = [
    ...view.groups.map((g) => ({ ...g, members: shown.filter((c) => c.groupId === g.id) })),
    ...(ungrouped.length
      ? [
          {
            id: "ungrouped",
            name: view.groups.length ? "Other" : "Components",
            status: worstStatus(ungrouped.map((c) => c.status)),
            members: ungrouped,
          },
        ]
      : []),
  ].filter((g) => g.members.length > 0);
  const active = view.maintenances.filter((m) => m.status !== "scheduled");
  const upcoming = view.maintenances.filter((m) => m.status === "scheduled");
  return (
    <>
      <section
        aria-label="Overall status"
        className={`rounded-lg px-5 py-4 text-lg font-semibold ${BANNER[view.indicator.indicator]}`}
        data-testid="overall-status"
      >
        {view.indicator.description}
      </section>

      {view.incidents.length > 0 && (
        <section aria-labelledby="active-incidents" className="space-y-3">
          <h2 id="active-incidents" className="text-xl font-semibold">
            Active incidents
          </h2>
          {view.incidents.map((i) => (
            <IncidentCard key={i.id} incident={i} names={names} />
          ))}
        </section>
      )}

      {(active.length > 0 || upcoming.length > 0) && (
        <section aria-labelledby="maintenance" className="space-y-3">
          <h2 id="maintenance" className="text-xl font-semibold">
            Maintenance
          </h2>
          {[...active, ...upcoming].map((m) => (
            <MaintenanceCard key={m.id} maintenance={m} names={names} />
          ))}
        </section>
      )}

      {listed.length > 0 && view.regions.length > 0 && (
        <section aria-labelledby="matrix" className="hidden md:block">
          <h2 id="matrix" className="mb-2 text-xl font-semibold">
            Components by region
          </h2>
          <table className="w-full border-collapse text-sm">
            <caption className="sr-only">Current status of each component in each region</caption>
            <thead>
              <tr>
                <th scope="col" className="py-2 text-left font-medium">
                  Component
                </th>
                {view.regions.map((r) => (
                  <th key={r.id} scope="col" className="py-2 font-medium">
                    {r.name}
                    <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">
                      {r.code}
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {shown.map((c) => (
                <tr key={c.id}>
                  <th scope="row" className="py-2 text-left font-normal">
                    {c.name}
                  </th>
                  {view.regions.map((r) => {
                    // Only real cells: a component that does not run in a region has none there.
                    const cell = c.cells.find((x) => x.regionId === r.id);
                    if (!cell)
                      return (
                        <td
                          key={r.id}
                          className="text-center text-slate-400 dark:text-slate-600"
                          data-testid={`no-cell-${c.name}-${r.code}`}
                        >
                          <span aria-hidden="true">–</span>
                          <span className="sr-only">Not offered in {r.name}</span>
                        </td>
                      );
                    return (
                      <td
                        key={r.id}
                        className="text-center"
                        title={`${c.name} in ${r.name}: ${STATUS_LABELS[cell.status]}, ${uptimeFigure(cell.uptime90, measuredDays(cell.days.map((d) => d.uptime)))}`}
                      >
                        <StatusLabel status={cell.status} compact />
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {listed.length > 0 && (
        <section aria-labelledby="components" className="space-y-4">
          <h2 id="components" className="text-xl font-semibold">
            Components
          </h2>
          {listed.map((g) => (
            <div key={g.id} className="rounded-lg border border-slate-200 dark:border-slate-800">
              <h3 className="flex items-center justify-between border-b border-slate-200 px-4 py-3 font-medium dark:border-slate-800">
                {g.name}
                <StatusLabel status={g.status} />
              </h3>
              <ul className="divide-y divide-slate-200 dark:divide-slate-800">
                {g.members.map((c) => (
                  <li
                    key={c.id}
                    className="space-y-2 px-4 py-3"
                    data-testid={`component-${c.name}`}
                  >
                    <div className="flex flex-wrap items-center justify-between gap-2">
                      <div>
                        <p className="font-medium">{c.name}</p>
                        {c.description && (
                          <p className="text-sm text-slate-600 dark:text-slate-400">
                            {c.description}
                          </p>
                        )}
                      </div>
                      <StatusLabel
                        status={c.status}
                        text={componentStatusText(
                          c.status,
                          c.cells,
                          (id) => view.regions.find((r) => r.id === id)?.name,
                        )}
                      />
                    </div>
                    {c.showcase && (
                      <UptimeBars
                        days={compactDays(c.days)}
                        total={c.uptime90}
                        label={`${c.name} uptime`}
                      />
                    )}
                    <RegionDetails summary={`${c.name} by region`}>
                      <ul className="mt-2 space-y-3">
                        {c.cells.map((cell) => {
                          const r = view.regions.find((x) => x.id === cell.regionId)!;
                          return (
                            <li key={cell.regionId} data-testid={`cell-${c.name}-${r.code}`}>
                              <div className="flex items-center justify-between text-sm">
                                <span>
                                  {r.name}{" "}
                                  <span className="text-slate-500 dark:text-slate-400">
                                    ({r.code})
                                  </span>
                                </span>
                                <StatusLabel status={cell.status} />
                              </div>
                              {c.showcase && (
                                <UptimeBars
                                  days={compactDays(cell.days)}
                                  total={cell.uptime90}
                                  label={`${c.name} in ${r.name} uptime`}
                                />
                              )}
                            </li>
                          );
                        })}
                      </ul>
                    </RegionDetails>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}

      <footer className="border-t border-slate-200 pt-4 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
        Updated <LocalTime iso={view.generatedAt} />. Uptime counts major outage as down and partial
        outage as 30% down; degraded performance and maintenance count as up.{" "}
        <a href="/api/v2/summary.json" className="underline">
          JSON API
        </a>{" "}
        ·{" "}
        <a href="/badge.svg" className="underline">
          Badge
        </a>{" "}
        ·{" "}
        <a href={view.page.supportUrl ?? "/support"} className="underline" rel="noopener">
          Support
        </a>
        {view.page.contactUrl && (
          <>
            {" "}
            ·{" "}
            <a href={view.page.contactUrl} className="underline" rel="noopener">
              Contact
            </a>
          </>
        )}
      </footer>
    </>
  );
}
