import Link from "next/link";
import type {
  ActivationChecklist as Checklist,
  ActivationItem,
  ActivationProgress,
} from "@/lib/activation/checklist";

const linkClass = "text-sky-700 underline dark:text-sky-400";

/** A tenant that has done every activation step: the checklist's place is taken by this badge. */
export function LiveBadge() {
  return (
    <span className="inline-flex items-center gap-1 rounded-full bg-emerald-100 px-2.5 py-0.5 text-xs font-semibold text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
      <span aria-hidden="true">●</span> Live
    </span>
  );
}

/** A tenant's progress in the platform admins' list: "3 of 7 activation steps", or Live. */
export function ActivationProgressBadge({ progress }: { progress: ActivationProgress }) {
  if (progress.live) return <LiveBadge />;
  return (
    <span className="inline-flex rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      {progress.done} of {progress.total} activation steps
    </span>
  );
}

/** The seed's troubleshooting, beside the item it is about. */
function Help({ item, canManageMembers }: { item: ActivationItem; canManageMembers: boolean }) {
  if (item.key === "email_confirmed") {
    return (
      <p className="text-xs text-slate-600 dark:text-slate-400">
        <strong>Didn&apos;t get the email?</strong> Check your spam or junk folder, and look for
        mail from Beacon&apos;s sender address. Invitation links expire: ask whoever invited you to
        resend the invitation
        {canManageMembers ? (
          <>
            {" "}
            (admins resend from{" "}
            <Link href="/portal/members" className={linkClass}>
              Members → Pending invitations
            </Link>
            )
          </>
        ) : (
          " (your organization's admin, or the platform admin for a first admin)"
        )}
        .
      </p>
    );
  }
  if (item.key === "signed_in") {
    return (
      <p className="text-xs text-slate-600 dark:text-slate-400">
        <strong>Can&apos;t sign in?</strong> Use{" "}
        <Link href="/signin/forgot" className={linkClass}>
          Forgot password
        </Link>{" "}
        on the sign-in page; the reset link is emailed to you.
      </p>
    );
  }
  return null;
}

/**
 * A tenant's activation checklist on the portal home, in the seed's form: task, where to click,
 * success indicator, with help beside the items people get stuck on. Every status is read from
 * real state (lib/activation); there is nothing to tick. All done: a compact "Live" badge.
 */
export function ActivationChecklist({
  checklist,
  canManageMembers,
}: {
  checklist: Checklist;
  canManageMembers: boolean;
}) {
  if (checklist.live) {
    return (
      <p
        role="status"
        aria-label="Activation"
        className="mb-6 flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400"
      >
        <LiveBadge /> Every activation step is done.
      </p>
    );
  }
  return (
    <section
      aria-labelledby="activation-title"
      className="mb-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="activation-title" className="text-base font-semibold">
          Activation checklist
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {checklist.done} of {checklist.total} done
        </p>
      </div>
      <p className="mb-3 text-xs text-slate-500 dark:text-slate-400">
        Each step ticks itself when Beacon sees it done; there is nothing to tick by hand.
      </p>
      <ol className="divide-y divide-slate-200 dark:divide-slate-800">
        {checklist.items.map((item) => (
          <li
            key={item.key}
            data-testid={`activation-${item.key}`}
            data-done={item.done ? "true" : "false"}
            className="grid gap-1 py-3 sm:grid-cols-[8rem_1fr]"
          >
            <span
              className={
                item.done
                  ? "text-sm font-semibold text-emerald-700 dark:text-emerald-400"
                  : "text-sm font-semibold text-slate-500 dark:text-slate-400"
              }
            >
              {item.done ? "✓ Done" : "○ Not yet"}
            </span>
            <div className="space-y-1">
              <p className="font-medium">{item.task}</p>
              <p className="text-sm">
                <span className="text-slate-500 dark:text-slate-400">Where to click: </span>
                <Link href={item.where.href} className={linkClass}>
                  {item.where.label}
                </Link>
              </p>
              <p className="text-sm">
                <span className="text-slate-500 dark:text-slate-400">Success indicator: </span>
                {item.success}
              </p>
              <Help item={item} canManageMembers={canManageMembers} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
