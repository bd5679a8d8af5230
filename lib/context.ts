import type { Db } from "@/db";
import { ForbiddenError } from "./errors";
import type { OrgKind, Permission, Role } from "./auth/roles";

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
