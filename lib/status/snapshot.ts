import { createHash } from "node:crypto";
import type { Db } from "@/db";
import { onStatusChanged } from "./changes";
import { buildPublicDocument, PUBLIC_DOCUMENTS, type PublicDocument } from "./documents";
import {
  addTenantPart,
  loadStatusView,
  loadTenantPart,
  type StatusView,
  type TenantPart,
} from "./read";

/**
 * The public status snapshot: the anonymous StatusView and every public document, built once
 * with an ETag, and thrown away on every status change (`statusChanged()`) and after
 * SNAPSHOT_MAX_AGE_MS at most, because today's uptime keeps moving and another instance's change
 * may arrive late if LISTEN/NOTIFY is not available. Serving from here costs no database query.
 * Bodies are kept uncompressed: Next replaces a route handler's Content-Encoding and compresses
 * the response itself, so a compressed body would reach clients compressed twice (the fast path,
 * server/status-fast-path.ts, compresses its own copies).
 */
export const SNAPSHOT_MAX_AGE_MS = 30_000;

export interface PublicDoc {
  body: Buffer;
  etag: string;
  contentType: string;
  builtAt: number;
}

interface Entry<T> {
  at: number;
  promise: Promise<T>;
  refreshing?: boolean;
}
interface State {
  generation: number;
  view?: Entry<StatusView>;
  docs: Map<string, Entry<PublicDoc | null>>;
  /** Each signed-in tenant's own part, by organization id (read.ts, `loadTenantPart`). */
  tenants: Map<string, Entry<TenantPart>>;
  /**
   * The last successfully built view and documents, kept across status changes: when a rebuild
   * fails (the database is down), visitors get these instead of an error.
   */
  lastGood: {
    view?: StatusView;
    docs: Map<string, PublicDoc | null>;
    tenants: Map<string, TenantPart>;
  };
}
const g = globalThis as unknown as { __beaconSnapshot?: State; __beaconSnapshotHooked?: boolean };
const state: State = (g.__beaconSnapshot ??= {
  generation: 0,
  docs: new Map(),
  tenants: new Map(),
  lastGood: { docs: new Map(), tenants: new Map() },
});
state.tenants ??= new Map();
state.lastGood ??= { docs: new Map(), tenants: new Map() };
state.lastGood.tenants ??= new Map();

/** How long a last good copy served after a failed rebuild stands before the next rebuild try. */
export const RETRY_AFTER_FAILURE_MS = 5_000;

/** Changes whenever the snapshot is dropped; caches derived from it compare against this. */
export function snapshotGeneration(): number {
  return state.generation;
}

export function invalidateSnapshot(): void {
  state.generation++;
  state.view = undefined;
  state.docs.clear();
  state.tenants.clear();
}

if (!g.__beaconSnapshotHooked) {
  g.__beaconSnapshotHooked = true;
  onStatusChanged(invalidateSnapshot);
}

const fresh = (at: number) => Date.now() - at < SNAPSHOT_MAX_AGE_MS;

/**
 * An entry past its age (same generation: nothing changed, only time moved on) keeps being
 * served while one rebuild runs, so no visitor waits for it; a status change drops entries
 * outright, so nobody is served a stale status.
 */
function refreshInBackground<T>(
  entry: Entry<T>,
  build: () => Promise<T>,
  replace: (e: Entry<T>) => boolean,
): void {
  if (entry.refreshing) return;
  entry.refreshing = true;
  const generation = state.generation;
  build().then(
    (value) => {
      if (generation === state.generation)
        replace({ at: Date.now(), promise: Promise.resolve(value) });
      entry.refreshing = false;
    },
    () => {
      entry.refreshing = false;
    },
  );
}

/** An entry that served a last good copy counts as aged, so a rebuild is tried again soon. */
const failedAt = () => Date.now() - SNAPSHOT_MAX_AGE_MS + RETRY_AFTER_FAILURE_MS;

/** The build's result; if it fails and a last good copy exists, that copy (and `onFallback`). */
function withLastGood<T>(
  build: Promise<T>,
  last: () => T | undefined,
  onFallback: () => void,
): Promise<T> {
  return build.catch((e: unknown) => {
    const copy = last();
    if (copy === undefined) throw e;
    onFallback();
    return copy;
  });
}

/** The anonymous public view, shared by every visitor until the next change. */
export function publicStatusView(db: Db): Promise<StatusView> {
  const current = state.view;
  if (current && fresh(current.at)) return current.promise;
  if (current) {
    refreshInBackground(
      current,
      () => loadStatusView(db, { viewerOrgId: null }),
      (e) => {
        if (state.view !== current) return false;
        state.view = e;
        return true;
      },
    );
    return current.promise;
  }
  const generation = state.generation;
  const promise = withLastGood(
    loadStatusView(db, { viewerOrgId: null }).then((view) => {
      if (generation === state.generation) state.lastGood.view = view;
      return view;
    }),
    () => state.lastGood.view,
    () => {
      if (state.view === entry) entry.at = failedAt();
    },
  );
  const entry = { at: Date.now(), promise };
  state.view = entry;
  promise.catch(() => {
    if (state.view === entry) state.view = undefined;
  });
  // A change during the build leaves this result for this caller only.
  void promise.then(() => {
    if (generation !== state.generation && state.view === entry) state.view = undefined;
  });
  return promise;
}

/**
 * A tenant's own part of the page (its tenant-only incidents and maintenance), cached per
 * organization exactly as the public view is: dropped by every status change (on every instance),
 * aged out after SNAPSHOT_MAX_AGE_MS and rebuilt in the background, and kept as a last good copy
 * for a database outage.
 */
export function tenantPart(db: Db, orgId: string): Promise<TenantPart> {
  const build = () => {
    const generation = state.generation;
    return loadTenantPart(db, orgId).then((part) => {
      if (generation === state.generation) state.lastGood.tenants.set(orgId, part);
      return part;
    });
  };
  const current = state.tenants.get(orgId);
  if (current && fresh(current.at)) return current.promise;
  if (current) {
    refreshInBackground(current, build, (e) => {
      if (state.tenants.get(orgId) !== current) return false;
      state.tenants.set(orgId, e);
      return true;
    });
    return current.promise;
  }
  const generation = state.generation;
  const promise = withLastGood(
    build(),
    () => state.lastGood.tenants.get(orgId),
    () => {
      if (state.tenants.get(orgId) === entry) entry.at = failedAt();
    },
  );
  const entry: Entry<TenantPart> = { at: Date.now(), promise };
  state.tenants.set(orgId, entry);
  void promise.then(
    () => {
      if (generation !== state.generation && state.tenants.get(orgId) === entry)
        state.tenants.delete(orgId);
    },
    () => {
      if (state.tenants.get(orgId) === entry) state.tenants.delete(orgId);
    },
  );
  return promise;
}

const composed = new WeakMap<StatusView, WeakMap<TenantPart, StatusView>>();

/**
 * What a signed-in member of a tenant sees: the shared public view with the tenant's own part
 * added, both from memory (no database query while they are cached), composed once per pair.
 */
export async function tenantStatusView(db: Db, orgId: string): Promise<StatusView> {
  const [view, part] = await Promise.all([publicStatusView(db), tenantPart(db, orgId)]);
  let byPart = composed.get(view);
  if (!byPart) composed.set(view, (byPart = new WeakMap()));
  let out = byPart.get(part);
  if (!out) byPart.set(part, (out = addTenantPart(view, part)));
  return out;
}

export function makeDoc(body: string, contentType: string): PublicDoc {
  const buf = Buffer.from(body, "utf8");
  return {
    body: buf,
    etag: `"${createHash("sha1").update(buf).digest("base64url")}"`,
    contentType,
    builtAt: Date.now(),
  };
}

/** A public document from the snapshot (null: the badge of an unknown component). */
export function publicDocument(
  db: Db,
  name: PublicDocument,
  { baseUrl, componentId = null }: { baseUrl: string; componentId?: string | null },
): Promise<PublicDoc | null> {
  const key = `${name}?${componentId ?? ""}`;
  const build = () => {
    const generation = state.generation;
    return buildPublicDocument(db, name, { baseUrl, componentId }).then((d) => {
      const doc = d.notFound ? null : makeDoc(d.body, d.contentType);
      if (generation === state.generation) state.lastGood.docs.set(key, doc);
      return doc;
    });
  };
  const hit = state.docs.get(key);
  if (hit && fresh(hit.at)) return hit.promise;
  if (hit) {
    refreshInBackground(hit, build, (e) => {
      if (state.docs.get(key) !== hit) return false;
      state.docs.set(key, e);
      return true;
    });
    return hit.promise;
  }
  const generation = state.generation;
  const promise = withLastGood(
    build(),
    () => state.lastGood.docs.get(key),
    () => {
      if (state.docs.get(key) === entry) entry.at = failedAt();
    },
  );
  const entry = { at: Date.now(), promise };
  state.docs.set(key, entry);
  void promise.then(
    (doc) => {
      if (!doc || generation !== state.generation) {
        if (state.docs.get(key) === entry) state.docs.delete(key);
      }
    },
    () => {
      if (state.docs.get(key) === entry) state.docs.delete(key);
    },
  );
  return promise;
}

/**
 * Builds the public view and every public document once (at start-up), so each has a last good
 * copy to serve if the database goes away before anyone asked for it.
 */
export async function warmSnapshot(db: Db, baseUrl: string): Promise<void> {
  await Promise.all([
    publicStatusView(db),
    ...PUBLIC_DOCUMENTS.map((name) => publicDocument(db, name, { baseUrl })),
  ]);
}

/** true when the request's If-None-Match names this document's ETag. */
export function notModified(doc: PublicDoc, ifNoneMatch: string | null): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === doc.etag || tag === "*";
  });
}

export const PUBLIC_CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30";
export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "If-None-Match, Content-Type",
  "access-control-expose-headers": "ETag",
} as const;
