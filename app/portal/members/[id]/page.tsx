import { orNotFound } from "@/app/_server/not-found";
import { requirePageCtx } from "@/app/_server/ctx";
import { getMember } from "@/lib/members/list";
import { PERMISSION_LABELS, ROLE_LABELS } from "@/lib/auth/roles";
import { Card, PageHeader } from "@/components/ui/card";

export default async function MemberPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageCtx("org:read", `/portal/members/${id}`);
  const member = await orNotFound(getMember({ ctx, input: { membershipId: id } }));
  return (
    <div className="space-y-6">
      <PageHeader
        title={member.name || member.email}
        description={`${ROLE_LABELS[member.role]} in ${ctx.org.name}`}
      />
      <Card>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="text-slate-500 dark:text-slate-400">Email</dt>
          <dd>{member.email}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Role</dt>
          <dd>{ROLE_LABELS[member.role]}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Extra permissions</dt>
          <dd>
            {member.grants
              .map((g) => PERMISSION_LABELS[g as keyof typeof PERMISSION_LABELS] ?? g)
              .join(", ") || "None"}
          </dd>
          <dt className="text-slate-500 dark:text-slate-400">Member since</dt>
          <dd>{member.since.toISOString().slice(0, 10)}</dd>
        </dl>
      </Card>
    </div>
  );
}
