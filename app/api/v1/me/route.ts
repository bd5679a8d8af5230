import { apiRoute } from "@/app/_server/api";
import { ROLE_LABELS } from "@/lib/auth/roles";

/** Who this API key acts as: a quick way to check a key works. */
export const GET = apiRoute(async ({ ctx }) => ({
  organization: { id: ctx.org.id, slug: ctx.org.slug, name: ctx.org.name, kind: ctx.org.kind },
  role: ctx.role,
  roleLabel: ROLE_LABELS[ctx.role],
  permissions: [...ctx.permissions].sort(),
}));
