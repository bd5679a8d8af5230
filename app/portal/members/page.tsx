import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { listMembers } from "@/lib/members/list";
import { apiKeysByCreator, keepsApiKeys, keysRevokedNotice } from "@/lib/api-keys/keys";
import {
  GRANTABLE_PERMISSIONS,
  PERMISSION_LABELS,
  permissionsFor,
  ROLE_LABELS,
  rolesForKind,
} from "@/lib/auth/roles";
import { Card, PageHeader } from "@/components/ui/card";
import { GrantsForm, HiddenIdButton, InviteForm, RoleForm } from "@/components/portal/members";
import {
  changeRoleAction,
  inviteAction,
  removeMemberAction,
  revokeInvitationAction,
  setGrantsAction,
} from "./actions";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const ctx = await requirePageCtx("org:read", "/portal/members");
  const { members, pending } = await listMembers({ ctx });
  const manage = ctx.permissions.has("members:manage");
  const roles = rolesForKind(ctx.org.kind).map((r) => ({ value: r, label: ROLE_LABELS[r] }));
  // Removing a member, or giving them a role that may not create API keys, revokes their keys:
  // the confirmation names them first.
  const keysByCreator = manage ? await apiKeysByCreator({ ctx }) : {};
  const rolesRevokingKeys = rolesForKind(ctx.org.kind).filter((r) => !keepsApiKeys(r));
  const grantable =
    ctx.org.kind === "tenant"
      ? GRANTABLE_PERMISSIONS.map((p) => ({ value: p, label: PERMISSION_LABELS[p] }))
      : [];
  return (
    <div className="space-y-6">
      <PageHeader title="Members" description={`People in ${ctx.org.name} and what they may do.`} />
      {manage && (
        <Card title="Invite a member">
          <InviteForm action={inviteAction} roles={roles} />
        </Card>
      )}
      <Card title={`Members (${members.length})`}>
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {members.map((m) => {
            const keysNotice = keysRevokedNotice(keysByCreator[m.userId] ?? []);
            return (
              <li
                key={m.membershipId}
                className="flex flex-col gap-3 py-4 lg:flex-row lg:items-end lg:justify-between"
              >
                <div>
                  <Link
                    href={`/portal/members/${m.membershipId}`}
                    className="font-medium hover:underline"
                  >
                    {m.name || m.email}
                  </Link>
                  <p className="text-sm text-slate-600 dark:text-slate-400">
                    {m.email} · {ROLE_LABELS[m.role]}
                    {m.grants.length > 0 &&
                      ` · + ${m.grants.map((g) => PERMISSION_LABELS[g as keyof typeof PERMISSION_LABELS] ?? g).join(", ")}`}
                  </p>
                </div>
                {manage && (
                  <div className="flex flex-wrap items-end gap-4">
                    <RoleForm
                      action={changeRoleAction}
                      membershipId={m.membershipId}
                      role={m.role}
                      roles={roles}
                      name={m.name || m.email}
                      keysNotice={
                        keysNotice ? { roles: rolesRevokingKeys, text: keysNotice } : undefined
                      }
                    />
                    {grantable.length > 0 && (
                      <GrantsForm
                        action={setGrantsAction}
                        membershipId={m.membershipId}
                        grants={m.grants}
                        available={grantable}
                        name={m.name || m.email}
                        inRole={grantable
                          .map((p) => p.value)
                          .filter((p) => permissionsFor(m.role).has(p))}
                        roleLabel={ROLE_LABELS[m.role]}
                      />
                    )}
                    <HiddenIdButton
                      action={removeMemberAction}
                      name="membershipId"
                      value={m.membershipId}
                      label={`Remove ${m.email}`}
                      confirmText={`Remove ${m.email} from ${ctx.org.name}?${keysNotice ? `\n\n${keysNotice}` : ""}`}
                    />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      </Card>
      {manage && pending.length > 0 && (
        <Card title="Pending invitations">
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {pending.map((inv) => (
              <li key={inv.id} className="flex items-center justify-between py-3 text-sm">
                <span>
                  {inv.email} · {ROLE_LABELS[inv.role]} · expires{" "}
                  {inv.expiresAt.toISOString().slice(0, 10)}
                </span>
                <HiddenIdButton
                  action={revokeInvitationAction}
                  name="invitationId"
                  value={inv.id}
                  label={`Revoke invitation for ${inv.email}`}
                  confirmText={`Revoke the invitation for ${inv.email}?`}
                />
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
