import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { orNotFound } from "@/app/_server/not-found";
import { SUBSCRIBER_KINDS } from "@/db/schema";
import { CHANNEL_LABELS } from "@/lib/labels";
import { ValidationError } from "@/lib/errors";
import { listSubscribers, type SubscriberList, type SubscriberView } from "@/lib/subscribers/list";
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from "@/lib/subscribers/schemas";
import { Card, PageHeader } from "@/components/ui/card";
import { HiddenIdButton } from "@/components/portal/members";
import { SecretOnceForm } from "@/components/alerts/forms";
import { removeSubscriberAction, rotateSubscriberSecretAction } from "./actions";

export const metadata: Metadata = { title: "Subscribers" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

const STATUS_LABELS: Record<SubscriberStatus, string> = {
  confirmed: "Confirmed",
  awaiting: "Awaiting confirmation",
  expired: "Link expired",
};

// buttonClass lives in a client module; server pages keep their own copy of the secondary style.
const secondaryButton =
  "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";
const inputClass =
  "rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

const when = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";

function Filters({ items }: { items: { id: string; name: string; label?: string }[] }) {
  return items.length ? <>{items.map((i) => i.label ?? i.name).join(", ")}</> : <>All</>;
}

function StatusCell({ s }: { s: SubscriberView }) {
  if (s.status === "confirmed" && s.confirmedAt)
    return <span className="text-emerald-700 dark:text-emerald-400">{when(s.confirmedAt)}</span>;
  if (s.status === "awaiting" && s.confirmExpiresAt)
    return (
      <span className="text-amber-700 dark:text-amber-400">
        Awaiting confirmation (
        {s.channel === "webhook" ? "URL not verified yet; can verify" : "link valid"} until{" "}
        {when(s.confirmExpiresAt)})
      </span>
    );
  return (
    <span className="text-slate-500 dark:text-slate-400">
      {s.channel === "webhook" ? "Never verified" : "Link expired"}; removed by the next sweep
    </span>
  );
}

export default async function SubscribersPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requirePageCtx("subscribers:manage", "/portal/subscribers");
  const sp = await searchParams;
  const filters = {
    status: one(sp.status),
    channel: one(sp.channel),
    q: one(sp.q),
    page: one(sp.page),
  };
  let error: string | null = null;
  let list: SubscriberList;
  try {
    list = await orNotFound(listSubscribers({ ctx, input: filters }));
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = e.message;
    // Still show the counts; the list waits for filters that make sense.
    list = { ...(await listSubscribers({ ctx, input: {} })), subscribers: [], matching: 0 };
  }
  const { counts } = list;
  const total = (status: SubscriberStatus) => counts.email[status] + counts.webhook[status];
  const pages = Math.max(1, Math.ceil(list.matching / list.limit));
  const qs = (page: number) =>
    "?" +
    new URLSearchParams({
      ...Object.fromEntries(
        Object.entries(filters).filter(([k, v]) => v && k !== "page") as [string, string][],
      ),
      page: String(page),
    }).toString();

  return (
    <div className="space-y-6">
      <PageHeader
        title="Subscribers"
        description="People and systems subscribed to the public status page. Email subscribers count once they confirm; unconfirmed ones are deleted 7 days after subscribing."
      />
      <Card title="Counts">
        <table className="w-full text-left text-sm" aria-label="Subscriber counts">
          <thead className="text-slate-500 dark:text-slate-400">
            <tr>
              <th className="py-2 font-medium">Channel</th>
              {SUBSCRIBER_STATUSES.map((s) => (
                <th key={s} className="font-medium">
                  {STATUS_LABELS[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {SUBSCRIBER_KINDS.map((k) => (
              <tr key={k}>
                <th scope="row" className="py-2 font-medium">
                  {CHANNEL_LABELS[k]}
                </th>
                {SUBSCRIBER_STATUSES.map((s) => (
                  <td key={s}>{counts[k][s]}</td>
                ))}
              </tr>
            ))}
            <tr>
              <th scope="row" className="py-2 font-medium">
                Total
              </th>
              {SUBSCRIBER_STATUSES.map((s) => (
                <td key={s}>{total(s)}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </Card>

      <Card title="Filter">
        <form className="flex flex-wrap items-end gap-3" aria-label="Filter subscribers">
          <label className="text-sm">
            Status
            <select
              name="status"
              defaultValue={filters.status ?? ""}
              className={`${inputClass} block`}
            >
              <option value="">Any</option>
              {SUBSCRIBER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            Channel
            <select
              name="channel"
              defaultValue={filters.channel ?? ""}
              className={`${inputClass} block`}
            >
              <option value="">Any</option>
              {SUBSCRIBER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {CHANNEL_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            Address contains
            <input
              name="q"
              type="search"
              defaultValue={filters.q}
              className={`${inputClass} block`}
            />
          </label>
          <button type="submit" className={secondaryButton}>
            Apply
          </button>
          <Link href="/portal/subscribers" className="text-sm underline">
            Clear
          </Link>
        </form>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </Card>

      <Card title={`Subscribers (${list.matching})`}>
        {list.subscribers.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No subscribers match.</p>
        ) : (
          <div className="scroll-x">
            <table className="w-full text-left text-sm" aria-label="Subscribers">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-2 font-medium">Channel</th>
                  <th className="font-medium">Address</th>
                  <th className="font-medium">Components</th>
                  <th className="font-medium">Regions</th>
                  <th className="font-medium">Created</th>
                  <th className="font-medium">Confirmed</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {list.subscribers.map((s) => (
                  <tr key={s.id} className="align-top">
                    <td className="py-2">{CHANNEL_LABELS[s.channel]}</td>
                    <td className="break-all">
                      {s.address}
                      {s.channel === "webhook" && (
                        <span className="block text-xs text-slate-500 dark:text-slate-400">
                          host; URL not shown
                          {s.selfService
                            ? ""
                            : " · no management token (subscribed before rotation)"}
                        </span>
                      )}
                      {s.secretRotatingUntil && (
                        <span className="block text-xs text-slate-500 dark:text-slate-400">
                          old secret valid until {when(s.secretRotatingUntil)}
                        </span>
                      )}
                    </td>
                    <td>
                      <Filters items={s.components} />
                    </td>
                    <td>
                      <Filters items={s.regions} />
                    </td>
                    <td className="whitespace-nowrap">{when(s.createdAt)}</td>
                    <td>
                      <StatusCell s={s} />
                    </td>
                    <td className="space-y-2 py-2 text-right">
                      {s.channel === "webhook" && (
                        <SecretOnceForm
                          action={rotateSubscriberSecretAction}
                          label={`Rotate secret of ${s.address}`}
                          submit="Rotate secret"
                          variant="secondary"
                          className="flex flex-col items-end gap-2"
                        >
                          <input type="hidden" name="id" value={s.id} />
                        </SecretOnceForm>
                      )}
                      <HiddenIdButton
                        action={removeSubscriberAction}
                        name="id"
                        value={s.id}
                        label={`Remove ${s.address}`}
                        confirmText={`Remove ${s.address}? Nothing more is sent to it, including updates already on their way.`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 && (
          <nav aria-label="Pages" className="mt-4 flex items-center gap-4 text-sm">
            {list.page > 1 && (
              <Link href={qs(list.page - 1)} className="underline">
                Previous
              </Link>
            )}
            <span>
              Page {list.page} of {pages}
            </span>
            {list.page < pages && (
              <Link href={qs(list.page + 1)} className="underline">
                Next
              </Link>
            )}
          </nav>
        )}
      </Card>
    </div>
  );
}
