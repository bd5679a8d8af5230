import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { navFor } from "@/lib/auth/nav";
import { getActivationChecklist } from "@/lib/activation/checklist";
import { PageHeader } from "@/components/ui/card";
import { ActivationChecklist } from "@/components/portal/activation-checklist";

export default async function PortalHome() {
  const ctx = await requirePageCtx();
  // A tenant's home leads with its activation checklist (a "Live" badge once all is done).
  const checklist =
    ctx.org.kind === "tenant" && ctx.permissions.has("org:read")
      ? await getActivationChecklist({ ctx })
      : null;
  return (
    <>
      <PageHeader
        title={ctx.org.name}
        description={ctx.org.kind === "platform" ? "Status page operator" : "Tenant organization"}
      />
      {checklist && (
        <ActivationChecklist
          checklist={checklist}
          canManageMembers={ctx.permissions.has("members:manage")}
        />
      )}
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {navFor(ctx.permissions).map((item) => (
          <li key={item.href}>
            <Link
              href={item.href}
              className="block rounded-lg border border-slate-200 p-4 hover:border-sky-600 dark:border-slate-800"
            >
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
