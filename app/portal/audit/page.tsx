import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { auditFilterOptions, listAudit } from "@/lib/audit-log/list";
import { ValidationError } from "@/lib/errors";
import { logTime } from "@/lib/labels";
import { Card, PageHeader } from "@/components/ui/card";
import { AuditDetails } from "@/components/portal/audit-details";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

// buttonClass lives in a client module; server pages keep their own copy of the secondary style.
const secondaryButton =
  "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";
const inputClass =
  "rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The form's days (UTC) as the verb's times: "from" is the start of its day, "to" the end of its
 * day (the verb's `to` is exclusive). Anything else goes to the verb as typed, which names it.
 */
function fromDay(day: string | undefined): string | undefined {
  return day && DAY.test(day) ? `${day}T00:00:00Z` : day;
}
function toDay(day: string | undefined): string | undefined {
  if (!day || !DAY.test(day)) return day;
  const end = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
  return Number.isNaN(end.getTime()) ? day : end.toISOString();
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requirePageCtx("audit:read", "/portal/audit");
  const sp = await searchParams;
  const form = {
    actor: one(sp.actor),
    action: one(sp.action),
    from: one(sp.from),
    to: one(sp.to),
  };
  const after = one(sp.after);
  let error: string | null = null;
  let page: Awaited<ReturnType<typeof listAudit>> = { entries: [], next: null };
  try {
    page = await listAudit({
      ctx,
      input: { ...form, from: fromDay(form.from), to: toDay(form.to), after },
    });
  } catch (e) {
    if (e instanceof ValidationError) error = e.message;
    else throw e;
  }
  const options = await auditFilterOptions({ ctx });
  const filters = Object.fromEntries(
    Object.entries(form).filter(([, v]) => v) as [string, string][],
  );
  const qs = (extra: Record<string, string>) =>
    "?" + new URLSearchParams({ ...filters, ...extra }).toString();

  return (
    <div className="space-y-6">
      <PageHeader
        title="Audit log"
        description={`Every change made in ${ctx.org.name}: who made it, what, to what, when, and the details recorded with it. Newest first.`}
      />
      <Card title="Filter">
        <form className="flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
          {/* max-w-full: an actor's or action's long name must not widen the page on a phone. */}
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Actor
            <select
              name="actor"
              defaultValue={form.actor ?? ""}
              className={`${inputClass} block max-w-full`}
            >
              <option value="">Anyone</option>
              {options.actors.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Action
            <select
              name="action"
              defaultValue={form.action ?? ""}
              className={`${inputClass} block max-w-full`}
            >
              <option value="">Any</option>
              {options.actions.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            From (UTC)
            <input
              type="date"
              name="from"
              defaultValue={form.from}
              className={`${inputClass} block`}
            />
          </label>
          <label className="text-sm">
            To (UTC, inclusive)
            <input type="date" name="to" defaultValue={form.to} className={`${inputClass} block`} />
          </label>
          <button type="submit" className={secondaryButton}>
            Apply
          </button>
          {Object.keys(filters).length > 0 && (
            <Link href="/portal/audit" className="text-sm underline">
              Clear
            </Link>
          )}
        </form>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </Card>

      <Card title="Entries">
        {page.entries.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No entries match.</p>
        ) : (
          <div className="scroll-x">
            <table className="w-full text-left text-sm" aria-label="Audit log entries">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-2 font-medium">When</th>
                  <th className="font-medium">Actor</th>
                  <th className="font-medium">Action</th>
                  <th className="font-medium">Target</th>
                  <th className="font-medium">Details</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 align-top dark:divide-slate-800">
                {page.entries.map((r) => (
                  <tr key={r.id}>
                    <td className="py-2 pr-3 whitespace-nowrap">
                      <time dateTime={r.at.toISOString()}>{logTime(r.at, { seconds: true })}</time>
                    </td>
                    <td className="pr-3">{r.actor.label}</td>
                    <td className="pr-3 font-mono text-xs">{r.action}</td>
                    <td className="pr-3">
                      {r.target.type}
                      {r.target.id && (
                        <span className="block font-mono text-xs text-slate-500 dark:text-slate-400">
                          {r.target.id}
                        </span>
                      )}
                    </td>
                    <td>
                      <AuditDetails data={r.data} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="mt-4 flex gap-4 text-sm" aria-label="Audit log pages">
          {after && (
            <Link href={qs({})} className="underline">
              Newest
            </Link>
          )}
          {page.next && (
            <Link href={qs({ after: page.next })} className="underline">
              Older entries
            </Link>
          )}
        </nav>
      </Card>
    </div>
  );
}
