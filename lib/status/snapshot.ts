import { createHash } from "node:crypto";
import type { Db } from "@/db";
import { onStatusChanged } from "./changes";
import { buildPublicDocument, type PublicDocument } from "./documents";
import { loadStatusView, type StatusView } from "./read";

/**
 * The public status snapshot: the anonymous StatusView and every public document, built once,
 * precompressed, with an ETag, and thrown away on every status change (the "status" tag) and
 * after MAX_AGE_MS at most, because today's uptime keeps moving and another instance's change
 * may arrive late if LISTEN/NOTIFY is not available. Serving from here costs no database query.
 * Bodies are not precompressed: Next replaces a route handler's Content-Encoding and compresses
 * the response itself, so a precompressed body would reach clients compressed twice.
 */
export const SNAPSHOT_MAX_AGE_MS = 30_000;

export interface PublicDoc {
  body: Buffer;
  etag: string;
  contentType: string;
  builtAt: number;
}

interface State {
  generation: number;
  view?: { at: number; promise: Promise<StatusView> };
  docs: Map<string, { at: number; promise: Promise<PublicDoc | null> }>;
}
const g = globalThis as unknown as { __beaconSnapshot?: State; __beaconSnapshotHooked?: boolean };
const state: State = (g.__beaconSnapshot ??= { generation: 0, docs: new Map() });

/** Changes whenever the snapshot is dropped; caches derived from it compare against this. */
export function snapshotGeneration(): number {
  return state.generation;
}

export function invalidateSnapshot(): void {
  state.generation++;
  state.view = undefined;
  state.docs.clear();
}

if (!g.__beaconSnapshotHooked) {
  g.__beaconSnapshotHooked = true;
  onStatusChanged(invalidateSnapshot);
}

const fresh = (at: number) => Date.now() - at < SNAPSHOT_MAX_AGE_MS;

/** The anonymous public view, shared by every visitor until the next change. */
export function publicStatusView(db: Db): Promise<StatusView> {
  if (state.view && fresh(state.view.at)) return state.view.promise;
  const generation = state.generation;
  const promise = loadStatusView(db, { viewerOrgId: null });
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
  const hit = state.docs.get(key);
  if (hit && fresh(hit.at)) return hit.promise;
  const generation = state.generation;
  const promise = buildPublicDocument(db, name, { baseUrl, componentId }).then((d) =>
    d.notFound ? null : makeDoc(d.body, d.contentType),
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
