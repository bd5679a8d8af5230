import type { Db } from "@/db";
import { ForbiddenError, ValidationError } from "./errors";
import { isRoleForKind, ROLE_LABELS, type OrgKind, type Permission, type Role } from "./auth/roles";

export type Actor =
  | { type: "user"; id: string; email: string; name: string }
  | { type: "api_key"; id: string; name: string }
  | { type: "system"; id?: undefined };

/**
 * Who is acting, for which organization, with what permissions. Built on the server from the
 * session or API key — never from request input — and passed to every lib/ verb.
 */
export interface Ctx {
  db: Db;
  actor: Actor;
  org: { id: string; slug: string; name: string; kind: OrgKind };
  role: Role;
  permissions: ReadonlySet<Permission>;
}

export function can(ctx: Pick<Ctx, "permissions">, permission: Permission): boolean {
  return ctx.permissions.has(permission);
}

export function requirePermission(ctx: Pick<Ctx, "permissions">, permission: Permission): void {
  if (!ctx.permissions.has(permission)) {
    throw new ForbiddenError(`This needs the ${permission} permission`);
  }
}

/** Platform roles exist only in the platform organization and tenant roles only in tenants. */
export function assertRoleForOrg(ctx: Pick<Ctx, "org">, role: Role): void {
  if (!isRoleForKind(role, ctx.org.kind)) {
    throw new ValidationError([
      { field: "role", message: `${ROLE_LABELS[role]} is not a role in this organization` },
    ]);
  }
}
