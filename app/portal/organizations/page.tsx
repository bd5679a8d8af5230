import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { listOrganizations } from "@/lib/organizations/organizations";
import { listActivationProgress } from "@/lib/activation/checklist";
import { ActivationProgressBadge } from "@/components/portal/activation-checklist";
import { Card, PageHeader } from "@/components/ui/card";
import { HiddenIdButton } from "@/components/portal/members";
import {
  CreateOrganizationForm,
  InviteOrgAdminForm,
  RenameOrganizationForm,
} from "@/components/portal/organizations";
import {
  createOrganizationAction,
  inviteOrgAdminAction,
  renameOrganizationAction,
  restoreOrganizationAction,
  suspendOrganizationAction,
} from "./actions";

export const metadata: Metadata = { title: "Organizations" };
export const dynamic = "force-dynamic";

export default async function OrganizationsPage() {
  const ctx = await requirePageCtx("organizations:manage", "/portal/organizations");
  const orgs = await listOrganizations({ ctx });
  const progress = await listActivationProgress({ ctx });
  return (
    <div className="space-y-6">
      <PageHeader
        title="Organizations"
        description="Tenant organizations: create them, invite each one's first org admin, rename or suspend them. A suspended tenant's members cannot sign in to it, its API keys are refused and it receives no alerts; nothing is deleted, and restoring it brings everything back."
      />
      <Card title="Create a tenant">
        <CreateOrganizationForm action={createOrganizationAction} />
      </Card>
      {orgs.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No tenants yet.</p>
      ) : (
        <ul className="space-y-4" aria-label="Tenant organizations">
          {orgs.map((o) => (
            <li key={o.id}>
              <Card title={`${o.name} (${o.slug})`}>
                <div className="space-y-4">
                  {progress.get(o.id) && (
                    <p className="text-sm" aria-label={`Activation of ${o.name}`}>
                      <ActivationProgressBadge progress={progress.get(o.id)!} />
                    </p>
                  )}
                  <p className="text-sm text-slate-600 dark:text-slate-400">
                    {o.suspendedAt ? (
                      <strong className="text-red-700 dark:text-red-400">
                        Suspended since {o.suspendedAt.toISOString().slice(0, 16).replace("T", " ")}{" "}
                        UTC.
                      </strong>
                    ) : (
                      "Active."
                    )}{" "}
                    {o.members} member{o.members === 1 ? "" : "s"}, {o.pendingInvitations} pending
                    invitation{o.pendingInvitations === 1 ? "" : "s"}.
                  </p>
                  <RenameOrganizationForm
                    action={renameOrganizationAction}
                    id={o.id}
                    name={o.name}
                  />
                  {!o.suspendedAt && (
                    <InviteOrgAdminForm action={inviteOrgAdminAction} id={o.id} name={o.name} />
                  )}
                  {o.suspendedAt ? (
                    <HiddenIdButton
                      action={restoreOrganizationAction}
                      name="id"
                      value={o.id}
                      label={`Restore ${o.name}`}
                      confirmText={`Restore ${o.name}? Its members and API keys work again and it receives alerts.`}
                    />
                  ) : (
                    <HiddenIdButton
                      action={suspendOrganizationAction}
                      name="id"
                      value={o.id}
                      label={`Suspend ${o.name}`}
                      confirmText={`Suspend ${o.name}? Its members cannot sign in to it, its API keys are refused and it receives no alerts. Nothing is deleted.`}
                    />
                  )}
                </div>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
