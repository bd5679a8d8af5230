import { randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { brotliCompress, constants as zlibConstants, gzip } from "node:zlib";
import { LRUCache } from "lru-cache";
import { decode } from "next-auth/jwt";
import type { Db } from "@/db";
import { loadUserCtxBriefly } from "@/lib/auth/session-ctx";
import { sessionEpochOf } from "@/lib/auth/session-epoch";
import { PUBLIC_DOCUMENTS, type PublicDocument } from "@/lib/status/documents";
import {
  CORS_HEADERS,
  makeDoc,
  notModified,
  PUBLIC_CACHE_CONTROL,
  publicDocument,
  RETRY_AFTER_FAILURE_MS,
  snapshotGeneration,
  SNAPSHOT_MAX_AGE_MS,
  type PublicDoc,
} from "@/lib/status/snapshot";
import { pageViewerOf, type PageViewer } from "@/lib/status/viewer";

/**
 * The status page's fast path. Status pages are hammered exactly when things break, and
 * `next start` spends most of each request in its router and renderer even for a cached page.
 * This answers the hot anonymous requests (`/`, `/api/v2/*.json`, `/history.atom|rss`,
 * `/badge.svg`) from the in-memory snapshot, precompressed, with its ETag, before Next sees
 * them; everything else, and anything that fails here, goes to Next unchanged.
 *
 * `/` is rendered by Next itself (an internal request marked with a per-process token) once per
 * snapshot generation, so the bytes are exactly what Next would have sent an anonymous visitor.
 * A signed-in visitor's `/` is answered the same way: the session cookie is decrypted here (it
 * is a JWT; no database), the membership read at most every few seconds
 * (`loadUserCtxBriefly`), and the page Next rendered for that viewer kind is served: one copy
 * per tenant (the public snapshot plus the tenant's own part), one for signed-in visitors who
 * see only the public view. Each copy is rendered once per snapshot generation by an internal
 * request that names the viewer decided here (`fastPathViewer`; no cookie is sent, so what Next
 * renders cannot differ from what the copy is filed under), and its last good copy stands in
 * when a render fails (a database outage). A client-side navigation (RSC), or a cookie that does
 * not decrypt, goes to Next.
 *
 * Installed by patching `http.Server.prototype.emit` for "request", the only hook that runs
 * before Next's handler under `next start`.
 */

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

interface Encoded {
  doc: PublicDoc;
  gzip: Buffer;
  br: Buffer;
}

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?authjs\.session-token/;
const SESSION_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;
const TOKEN_HEADER = "x-beacon-snapshot";
const VIEWER_HEADER = "x-beacon-viewer";

interface FastPathConfig {
  db: Db;
  baseUrl: string;
  token: string;
  /** The session secret(s) (AUTH_SECRET); without it signed-in requests go to Next. */
  authSecret?: string | string[];
}
const g = globalThis as unknown as { __beaconFastPath?: FastPathConfig };

const encodedCache = new WeakMap<PublicDoc, Promise<Encoded>>();
function encode(doc: PublicDoc): Promise<Encoded> {
  let hit = encodedCache.get(doc);
  if (!hit) {
    hit = Promise.all([
      gzipAsync(doc.body, { level: 6 }),
      brotliAsync(doc.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } }),
    ]).then(([gz, br]) => ({ doc, gzip: gz, br }));
    encodedCache.set(doc, hit);
  }
  return hit;
}

interface PageEntry {
  generation: number;
  at: number;
  promise: Promise<PublicDoc | null>;
  refreshing?: boolean;
}
/**
 * The rendered `/` per viewer kind: "anonymous", "signed-in", or "tenant:<org id>:<name>". A
 * page is a few hundred kilobytes, so the copies kept are bounded by count and by size; a
 * tenant whose copy was evicted gets it rendered again on its next visit.
 */
const pages = new LRUCache<string, PageEntry>({ max: 1_000 });
/** The last good render per viewer kind, kept across generations for a database outage. */
const lastGoodPages = new LRUCache<string, PublicDoc>({
  max: 1_000,
  maxSize: 256 * 1024 * 1024,
  sizeCalculation: (doc) => Math.max(1, doc.body.byteLength),
});

function renderHome(port: number, token: string, viewer?: PageViewer): Promise<PublicDoc | null> {
  const headers: Record<string, string> = { [TOKEN_HEADER]: token, "accept-encoding": "identity" };
  if (viewer) headers[VIEWER_HEADER] = encodeURIComponent(JSON.stringify(viewer));
  return fetch(`http://127.0.0.1:${port}/`, { headers })
    .then(async (res) => {
      if (res.status !== 200) return null;
      return makeDoc(
        await res.text(),
        res.headers.get("content-type") ?? "text/html; charset=utf-8",
      );
    })
    .catch(() => null);
}

/**
 * `/` as Next renders it for one viewer kind, once per snapshot generation; past its age it is
 * served while one re-render runs (only time moved on, so nothing it says is wrong). A failed
 * render serves the kind's last good copy, if there is one, and is retried on the next request.
 */
function homePage(
  port: number,
  token: string,
  key = "anonymous",
  viewer?: PageViewer,
): Promise<PublicDoc | null> {
  const generation = snapshotGeneration();
  const render = () =>
    renderHome(port, token, viewer).then((doc) => {
      if (doc && snapshotGeneration() === generation) lastGoodPages.set(key, doc);
      return doc;
    });
  const current = pages.get(key);
  if (current && current.generation === generation) {
    if (Date.now() - current.at >= SNAPSHOT_MAX_AGE_MS && !current.refreshing) {
      current.refreshing = true;
      void render().then((doc) => {
        current.refreshing = false;
        if (!doc) current.at = retryAt();
        else if (pages.get(key) === current && snapshotGeneration() === generation) {
          pages.set(key, { generation, at: Date.now(), promise: Promise.resolve(doc) });
        }
      });
    }
    return current.promise;
  }
  const entry: PageEntry = { generation, at: Date.now(), promise: Promise.resolve(null) };
  entry.promise = render().then((doc) => {
    if (doc) {
      if (snapshotGeneration() !== generation && pages.get(key) === entry) pages.delete(key);
      return doc;
    }
    const last = lastGoodPages.get(key);
    // Served until a re-render is tried again, in the background, shortly.
    if (last && pages.get(key) === entry) entry.at = retryAt();
    else if (pages.get(key) === entry) pages.delete(key);
    return last ?? null;
  });
  pages.set(key, entry);
  return entry.promise;
}

/** An entry's time such that it counts as aged (re-rendered) RETRY_AFTER_FAILURE_MS from now. */
const retryAt = () => Date.now() - SNAPSHOT_MAX_AGE_MS + RETRY_AFTER_FAILURE_MS;

/** The session cookie's value (joined from its chunks if Auth.js split it) and its name. */
function sessionCookie(header: string): { name: string; value: string } | null {
  const jar = new Map<string, string>();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of SESSION_NAMES) {
    const whole = jar.get(name);
    if (whole) return { name, value: whole };
    const chunks: string[] = [];
    for (let i = 0; jar.has(`${name}.${i}`); i++) chunks.push(jar.get(`${name}.${i}`)!);
    if (chunks.length) return { name, value: chunks.join("") };
  }
  return null;
}

interface Session {
  uid: string;
  orgId?: string;
  /** The user's session epoch when the token was issued (lib/auth/session-epoch.ts). */
  epoch: number;
  /** Seconds since the epoch, as in the token. */
  exp: number;
}
/** Decrypted session cookies, so a visitor reloading the page costs one decryption. */
const sessions = new LRUCache<string, Promise<Session | null>>({ max: 10_000 });

function readSession(header: string, secret: string | string[]): Promise<Session | null> {
  const cookie = sessionCookie(header);
  if (!cookie) return Promise.resolve(null);
  const key = `${cookie.name}=${cookie.value}`;
  let hit = sessions.get(key);
  if (!hit) {
    hit = decode({ token: cookie.value, secret, salt: cookie.name }).then(
      (jwt) =>
        jwt && typeof jwt.uid === "string" && typeof jwt.exp === "number"
          ? {
              uid: jwt.uid,
              orgId: typeof jwt.orgId === "string" ? jwt.orgId : undefined,
              epoch: sessionEpochOf(jwt),
              exp: jwt.exp,
            }
          : null,
      () => null,
    );
    sessions.set(key, hit);
  }
  return hit.then((s) => (s && s.exp * 1000 > Date.now() ? s : null));
}

/**
 * The signed-in `/` from memory: which viewer kind the session is, then that kind's rendered
 * page. Null when Next must answer (a cookie that does not decrypt or has expired, a user with
 * no membership left).
 */
async function signedInHomePage(
  cfg: FastPathConfig,
  port: number,
  cookie: string,
): Promise<PublicDoc | null> {
  if (!cfg.authSecret) return null;
  const session = await readSession(cookie, cfg.authSecret);
  if (!session) return null;
  const ctx = await loadUserCtxBriefly(cfg.db, session.uid, session.orgId, {
    sessionEpoch: session.epoch,
  });
  if (!ctx) return null;
  const viewer = pageViewerOf(ctx);
  const key = viewer.viewer.viewerOrgId
    ? `tenant:${viewer.viewer.viewerOrgId}:${viewer.tenantName}`
    : "signed-in";
  return homePage(port, cfg.token, key, viewer);
}

/**
 * For the status page: the viewer the fast path asks an internal render for, when the request
 * carries this process's token (a random secret that never leaves the process); otherwise
 * undefined, and the page reads the session as usual.
 */
export function fastPathViewer(headers: {
  get(name: string): string | null;
}): PageViewer | undefined {
  const cfg = g.__beaconFastPath;
  const token = headers.get(TOKEN_HEADER);
  const asked = headers.get(VIEWER_HEADER);
  if (!cfg || !token || !asked) return undefined;
  const a = Buffer.from(token);
  const b = Buffer.from(cfg.token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  try {
    const v = JSON.parse(decodeURIComponent(asked)) as PageViewer;
    const orgId = v.viewer?.viewerOrgId;
    if (typeof v.signedIn !== "boolean" || (orgId !== null && typeof orgId !== "string")) {
      return undefined;
    }
    return {
      viewer: { viewerOrgId: orgId },
      tenantName: typeof v.tenantName === "string" ? v.tenantName : undefined,
      signedIn: v.signedIn,
    };
  } catch {
    return undefined;
  }
}

function documentFor(pathname: string): PublicDocument | null {
  if (pathname.startsWith("/api/v2/")) {
    const name = pathname.slice("/api/v2/".length);
    return name.endsWith(".json") && (PUBLIC_DOCUMENTS as readonly string[]).includes(name)
      ? (name as PublicDocument)
      : null;
  }
  if (pathname === "/history.atom" || pathname === "/history.rss" || pathname === "/badge.svg") {
    return pathname.slice(1) as PublicDocument;
  }
  return null;
}

function send(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  enc: Encoded,
  headers: Record<string, string>,
) {
  const h: Record<string, string> = {
    ...headers,
    "content-type": enc.doc.contentType,
    etag: enc.doc.etag,
    vary: headers.vary ? `${headers.vary}, Accept-Encoding` : "Accept-Encoding",
    "x-beacon-fast-path": "1",
  };
  if (notModified(enc.doc, req.headers["if-none-match"] ?? null)) {
    res.writeHead(304, h);
    res.end();
    return;
  }
  const ae = String(req.headers["accept-encoding"] ?? "");
  let body = enc.doc.body;
  if (/\bbr\b/.test(ae)) {
    body = enc.br;
    h["content-encoding"] = "br";
  } else if (/\bgzip\b/.test(ae)) {
    body = enc.gzip;
    h["content-encoding"] = "gzip";
  }
  h["content-length"] = String(body.byteLength);
  res.writeHead(200, h);
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * Decides whether this request is ours; returns a promise that serves it, or null for Next.
 */
function tryServe(
  server: http.Server,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> | null {
  const cfg = g.__beaconFastPath;
  if (!cfg || (req.method !== "GET" && req.method !== "HEAD")) return null;
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const pathname = q === -1 ? url : url.slice(0, q);
  if (pathname === "/") {
    if (q !== -1 || req.headers[TOKEN_HEADER] !== undefined || req.headers.rsc !== undefined)
      return null;
    if (req.headers["next-router-state-tree"] !== undefined) return null;
    const port = (server.address() as AddressInfo | null)?.port;
    if (!port) return null;
    const cookie = req.headers.cookie ?? "";
    const page = SESSION_COOKIE.test(cookie)
      ? signedInHomePage(cfg, port, cookie)
      : homePage(port, cfg.token);
    return page.then(async (doc) => {
      if (!doc) throw new Error("no snapshot of /");
      send(req, res, await encode(doc), { "cache-control": "private, no-cache", vary: "Cookie" });
    });
  }
  const name = documentFor(pathname);
  if (!name) return null;
  const componentId =
    name === "badge.svg" && q !== -1
      ? new URLSearchParams(url.slice(q + 1)).get("component")
      : null;
  return publicDocument(cfg.db, name, { baseUrl: cfg.baseUrl, componentId }).then(async (doc) => {
    if (!doc) throw new Error("unknown document");
    send(req, res, await encode(doc), { ...CORS_HEADERS, "cache-control": PUBLIC_CACHE_CONTROL });
  });
}

/** Installs the fast path once per process; returns its removal (for tests). */
export function installStatusFastPath({
  db,
  baseUrl,
  authSecret,
}: {
  db: Db;
  baseUrl: string;
  authSecret?: string | string[];
}): () => void {
  if (g.__beaconFastPath) return () => {};
  g.__beaconFastPath = { db, baseUrl, authSecret, token: randomBytes(16).toString("hex") };
  const original = http.Server.prototype.emit as (
    this: http.Server,
    event: string,
    ...args: unknown[]
  ) => boolean;
  http.Server.prototype.emit = function patchedEmit(
    this: http.Server,
    event: string,
    ...args: unknown[]
  ) {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      let serving: Promise<void> | null;
      try {
        serving = tryServe(this, req, res);
      } catch {
        serving = null;
      }
      if (serving) {
        // Anything unexpected (no snapshot, unknown badge, a failed render) is Next's to answer.
        serving.catch(() => {
          if (!res.headersSent) original.call(this, event, ...args);
        });
        return true;
      }
    }
    return original.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  return () => {
    http.Server.prototype.emit = original as typeof http.Server.prototype.emit;
    g.__beaconFastPath = undefined;
    pages.clear();
    lastGoodPages.clear();
    sessions.clear();
  };
}
