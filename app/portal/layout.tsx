import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { getDb } from "@/server/database";
import { navFor } from "@/lib/auth/nav";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { listUserOrgs } from "@/lib/auth/session-ctx";
import { NavLink } from "@/components/portal/nav-link";
import { OrgSwitcher } from "@/components/portal/org-switcher";
import { Providers } from "@/components/providers";
import { ActiveOrgProvider } from "@/components/portal/active-org";
import { InboxIndicator } from "@/components/alerts/inbox-indicator";
import { PortalMenu } from "@/components/portal/portal-menu";
import { signOutAction, switchOrganization } from "./actions";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const ctx = await requirePageCtx();
  const orgs = ctx.actor.type === "user" ? await listUserOrgs(await getDb(), ctx.actor.id) : [];
  const user = ctx.actor.type === "user" ? ctx.actor : null;
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <aside className="border-b border-slate-200 bg-slate-50 p-4 md:w-64 md:shrink-0 md:border-r md:border-b-0 dark:border-slate-800 dark:bg-slate-900/50">
        <PortalMenu
          header={
            <div className="flex min-w-0 flex-wrap items-baseline gap-x-3">
              <Link href="/portal" className="text-lg font-semibold">
                Beacon
              </Link>
              <Providers orgId={ctx.org.id}>
                <InboxIndicator />
              </Providers>
            </div>
          }
        >
          <div className="mt-4 space-y-1 text-sm">
            {orgs.length > 1 ? (
              <OrgSwitcher orgs={orgs} currentId={ctx.org.id} action={switchOrganization} />
            ) : (
              <p className="font-medium" data-testid="org-name">
                {ctx.org.name}
              </p>
            )}
            <p className="text-slate-600 dark:text-slate-400">
              {user?.name || user?.email} · <span data-testid="role">{ROLE_LABELS[ctx.role]}</span>
            </p>
            {user && (
              <Link
                href="/portal/profile"
                className="inline-block text-sky-700 hover:underline dark:text-sky-400"
              >
                My notifications
              </Link>
            )}
          </div>
          <nav aria-label="Portal" className="mt-6 space-y-1">
            {navFor(ctx.permissions).map((item) => (
              <NavLink key={item.href} href={item.href}>
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="mt-6 flex items-center justify-between gap-2 text-sm">
            <Link href="/" className="text-slate-600 hover:underline dark:text-slate-400">
              Status page
            </Link>
            <form action={signOutAction}>
              <button type="submit" className="text-slate-600 hover:underline dark:text-slate-400">
                Sign out
              </button>
            </form>
          </div>
        </PortalMenu>
      </aside>
      <main className="min-w-0 flex-1 p-4 sm:p-6 md:p-10">
        <ActiveOrgProvider orgId={ctx.org.id}>
          <Providers orgId={ctx.org.id}>{children}</Providers>
        </ActiveOrgProvider>
      </main>
    </div>
  );
}
