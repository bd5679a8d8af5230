import { PgTransaction } from "drizzle-orm/pg-core";
import type { Db, Tx } from "@/db";
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

type Effect = () => void;
// The after-commit effects of each open transaction, keyed by its Tx object. A verb called with a
// ctx whose db is already such a transaction joins it instead of opening its own.
const scopes = new WeakMap<object, Set<Effect>>();

/**
 * Runs `fn` in one transaction and, once it has committed, the effects registered on it with
 * `afterCommit` (waking the job driver, dropping the status snapshot), each once. If `ctx.db` is
 * already a transaction opened here, `fn` joins it and its effects run when that one commits.
 * Accepts any `{ db }`, so background work without a Ctx opens transactions the same way.
 *
 * A joined call has no savepoint of its own: an error thrown inside it belongs to the outer
 * transaction, so let it propagate (catching it would commit what the inner call had written).
 * This is the only place in lib/ that calls `.transaction(` (lint rule beacon/no-raw-transaction);
 * lib/VERBS.md has the rest of the convention.
 */
export async function withTransaction<T>(ctx: { db: Db }, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (scopes.has(ctx.db)) return fn(ctx.db as Tx);
  if (ctx.db instanceof PgTransaction) {
    // Its own commit would only release a savepoint: effects would run before the real commit.
    throw new Error("withTransaction() was given a transaction it did not open");
  }
  const effects = new Set<Effect>();
  let opened: Tx | undefined;
  let result: T;
  try {
    result = await ctx.db.transaction(async (tx) => {
      opened = tx;
      scopes.set(tx, effects);
      return fn(tx);
    });
  } finally {
    // A finished transaction can no longer be joined, nor take effects that would never run.
    if (opened) scopes.delete(opened);
  }
  for (const effect of effects) {
    try {
      effect();
    } catch (e) {
      console.error("after-commit effect failed", e);
    }
  }
  return result;
}

/**
 * Schedules `effect` to run once the transaction `tx` commits (not at all if it rolls back). The
 * same function registered twice runs once. `tx` must come from `withTransaction` and be open.
 */
export function afterCommit(tx: Tx, effect: Effect): void {
  const effects = scopes.get(tx);
  if (!effects) throw new Error("afterCommit() needs an open transaction from withTransaction()");
  effects.add(effect);
}
