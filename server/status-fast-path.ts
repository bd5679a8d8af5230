import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { brotliCompress, constants as zlibConstants, gzip } from "node:zlib";
import type { Db } from "@/db";
import { PUBLIC_DOCUMENTS, type PublicDocument } from "@/lib/status/documents";
import {
  CORS_HEADERS,
  makeDoc,
  notModified,
  PUBLIC_CACHE_CONTROL,
  publicDocument,
  snapshotGeneration,
  SNAPSHOT_MAX_AGE_MS,
  type PublicDoc,
} from "@/lib/status/snapshot";

/**
 * The status page's fast path. Status pages are hammered exactly when things break, and
 * `next start` spends most of each request in its router and renderer even for a cached page.
 * This answers the hot anonymous requests (`/`, `/api/v2/*.json`, `/history.atom|rss`,
 * `/badge.svg`) from the in-memory snapshot, precompressed, with its ETag, before Next sees
 * them; everything else, and anything that fails here, goes to Next unchanged.
 *
 * `/` is rendered by Next itself (an internal request marked with a per-process token) once per
 * snapshot generation, so the bytes are exactly what Next would have sent an anonymous visitor.
 * A request with a session cookie, or a client-side navigation (RSC), always goes to Next, because
 * a signed-in tenant may see more than the public.
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
const TOKEN_HEADER = "x-beacon-snapshot";

const g = globalThis as unknown as {
  __beaconFastPath?: { db: Db; baseUrl: string; token: string };
};

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

let page:
  | { generation: number; at: number; promise: Promise<PublicDoc | null>; refreshing?: boolean }
  | undefined;

function renderHome(port: number, token: string): Promise<PublicDoc | null> {
  return fetch(`http://127.0.0.1:${port}/`, {
    headers: { [TOKEN_HEADER]: token, "accept-encoding": "identity" },
  })
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
 * The anonymous `/` as Next renders it, once per snapshot generation; past its age it is served
 * while one re-render runs (only time moved on, so nothing it says is wrong).
 */
function homePage(port: number, token: string): Promise<PublicDoc | null> {
  const generation = snapshotGeneration();
  const current = page;
  if (current && current.generation === generation) {
    if (Date.now() - current.at >= SNAPSHOT_MAX_AGE_MS && !current.refreshing) {
      current.refreshing = true;
      void renderHome(port, token).then((doc) => {
        current.refreshing = false;
        if (doc && page === current && snapshotGeneration() === generation) {
          page = { generation, at: Date.now(), promise: Promise.resolve(doc) };
        }
      });
    }
    return current.promise;
  }
  const promise = renderHome(port, token);
  const entry = { generation, at: Date.now(), promise };
  page = entry;
  void promise.then((doc) => {
    if (!doc && page === entry) page = undefined;
  });
  return promise;
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
    if (
      req.headers["next-router-state-tree"] !== undefined ||
      SESSION_COOKIE.test(req.headers.cookie ?? "")
    )
      return null;
    const port = (server.address() as AddressInfo | null)?.port;
    if (!port) return null;
    return homePage(port, cfg.token).then(async (doc) => {
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
export function installStatusFastPath({ db, baseUrl }: { db: Db; baseUrl: string }): () => void {
  if (g.__beaconFastPath) return () => {};
  g.__beaconFastPath = { db, baseUrl, token: randomBytes(16).toString("hex") };
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
  };
}
