import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { getDb } from "@/server/database";
import { pageViewer, statusViewFor } from "@/app/_server/viewer";
import { incidentMonths, listIncidents } from "@/lib/status/read";
import { LocalTime } from "@/components/status/local-time";
import { statusWord, TenantOnlyNote } from "@/components/status/incident-timeline";
import { PageTimeZone } from "@/components/status/local-time";
import { StatusHeader } from "@/components/status/status-page";

export const metadata: Metadata = { title: "Incident history" };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const monthName = (m: string) =>
  new Date(`${m}-01T00:00:00Z`).toLocaleString("en", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });

/** Incident history by month (UTC months); ?month=YYYY-MM picks one, the latest by default. */
export default async function HistoryPage({
  searchParams,
}: {
  searchParams: Promise<{ month?: string }>;
}) {
  await connection();
  const { viewer, tenantName, signedIn } = await pageViewer();
  const db = await getDb();
  const [view, months] = await Promise.all([statusViewFor(viewer), incidentMonths(db, viewer)]);
  const requested = (await searchParams).month;
  const month =
    requested && MONTH.test(requested)
      ? requested
      : (months[0]?.month ?? new Date().toISOString().slice(0, 7));
  const since = new Date(`${month}-01T00:00:00Z`);
  const before = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + 1, 1));
  const incidents = await listIncidents(db, viewer, { since, before, limit: 500 });
  return (
    <PageTimeZone zone={view.page.timeZone}>
      <main className="mx-auto max-w-4xl space-y-6 p-4 sm:p-6">
        <StatusHeader page={view.page} signedIn={signedIn} nameIsHeading={false} />
        <h1 className="text-xl font-semibold">Incident history</h1>
        <nav aria-label="Months">
          <ul className="flex flex-wrap gap-2 text-sm">
            {months.map((m) => (
              <li key={m.month}>
                <Link
                  href={`/history?month=${m.month}`}
                  aria-current={m.month === month ? "page" : undefined}
                  className="rounded-full border border-slate-300 px-3 py-1 hover:bg-slate-100 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white dark:border-slate-700 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-100 dark:aria-[current=page]:text-slate-900"
                >
                  {monthName(m.month)} ({m.count})
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <section aria-labelledby="month-heading" className="space-y-3">
          <h2 id="month-heading" className="text-lg font-semibold">
            {monthName(month)}
          </h2>
          {incidents.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              No incidents reported this month.
            </p>
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800">
              {incidents.map((i) => (
                <li key={i.id} className="py-3">
                  <Link href={`/incidents/${i.id}`} className="font-medium hover:underline">
                    {i.title}
                  </Link>
                  <p className="text-sm text-slate-600 dark:text-slate-400">
                    {statusWord(i.status)} · impact {i.impact} · <LocalTime iso={i.startedAt} />
                  </p>
                  {i.tenantOnly && <TenantOnlyNote name={tenantName} />}
                </li>
              ))}
            </ul>
          )}
        </section>
      </main>
    </PageTimeZone>
  );
}
