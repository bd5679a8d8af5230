import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db";
import { statusPageSettings } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { ForbiddenError, parseInput, ValidationError } from "@/lib/errors";
import { statusChangesOnCommit } from "./changes";
import { DEFAULT_TIME_ZONE, logoUrlOf } from "./page-settings";
import { loadPageOrg } from "./read";

/** Largest logo accepted, in bytes. */
export const LOGO_MAX_BYTES = 256 * 1024;
export const NOTICE_MAX_CHARS = 1000;
export const NAME_MAX_CHARS = 100;

/** What the settings screen and `GET /api/v1/status-page` show. */
export interface StatusPageSettings {
  /** The page's name; null: the platform organization's name (`defaultName`). */
  name: string | null;
  defaultName: string;
  brandColor: string | null;
  publicUrl: string | null;
  supportUrl: string | null;
  contactUrl: string | null;
  timeZone: string;
  notice: string | null;
  logo: { url: string; contentType: string; bytes: number } | null;
  updatedAt: string | null;
}

/** Empty strings clear a setting, like null. */
const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const optionalNullable = <T extends z.ZodType>(schema: T) =>
  z.preprocess(emptyToNull, schema.nullable()).optional();

const HEX = /^#(?:[0-9a-f]{6}|[0-9a-f]{3})$/i;
const brandColor = z
  .string()
  .trim()
  .regex(HEX, "must be a hex colour such as #1a73e8")
  .transform((v) => {
    const h = v.toLowerCase();
    return h.length === 4 ? `#${h[1]}${h[1]}${h[2]}${h[2]}${h[3]}${h[3]}` : h;
  });

function parseUrl(v: string): URL | null {
  try {
    return new URL(v);
  } catch {
    return null;
  }
}

/** The page's public address: an https origin, stored without a trailing slash. */
const publicUrl = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .transform((v, c) => {
    const u = parseUrl(v);
    if (!u || u.protocol !== "https:" || !u.hostname) {
      c.addIssue({ code: "custom", message: "must be an https:// URL" });
      return z.NEVER;
    }
    if (u.username || u.password || u.search || u.hash || (u.pathname !== "/" && u.pathname)) {
      c.addIssue({
        code: "custom",
        message:
          "must be the page's address alone, such as https://status.example.com (no path, query or credentials)",
      });
      return z.NEVER;
    }
    return u.origin;
  });

/** A footer link: an http(s) URL or a mailto: address. */
const footerLink = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .refine((v) => {
    const u = parseUrl(v);
    if (!u) return false;
    if (u.protocol === "mailto:") return /^[^@\s]+@[^@\s]+$/.test(decodeURIComponent(u.pathname));
    return (u.protocol === "https:" || u.protocol === "http:") && !!u.hostname && !u.username;
  }, "must be an https:// URL or a mailto: address");

const ZONES = Intl.supportedValuesOf("timeZone");

/** An IANA time zone name (`Europe/Berlin`, `UTC`), in its canonical spelling. */
const timeZone = z
  .string()
  .trim()
  .transform((v, c) => {
    // Intl also takes offsets such as +01:00, which are not zones (no daylight saving rules).
    if (/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(v)) {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: v });
        // As written, in its usual case (resolvedOptions would turn Asia/Kolkata into the
        // older Asia/Calcutta); aliases outside the list, such as UTC, stay as given.
        const lower = v.toLowerCase();
        if (lower === "utc") return DEFAULT_TIME_ZONE;
        return ZONES.find((z) => z.toLowerCase() === lower) ?? v;
      } catch {
        // fall through
      }
    }
    c.addIssue({ code: "custom", message: "must be an IANA time zone such as Europe/Berlin" });
    return z.NEVER;
  });

export const UpdateStatusPageInput = z
  .object({
    name: optionalNullable(
      z.string().trim().max(NAME_MAX_CHARS, `must be at most ${NAME_MAX_CHARS} characters`),
    ),
    brandColor: optionalNullable(brandColor),
    publicUrl: optionalNullable(publicUrl),
    supportUrl: optionalNullable(footerLink),
    contactUrl: optionalNullable(footerLink),
    timeZone: z.preprocess(emptyToNull, timeZone.nullable()).optional(),
    notice: optionalNullable(
      z.string().max(NOTICE_MAX_CHARS, `must be at most ${NOTICE_MAX_CHARS} characters`),
    ),
  })
  .strict();

/** The page belongs to the platform organization; only its members may change it. */
async function pageOrgOf(db: Db | Tx, ctx: Ctx) {
  const org = await loadPageOrg(db);
  if (org.id !== ctx.org.id) throw new ForbiddenError("Only the status page's owner may change it");
  return org;
}

async function readSettings(db: Db | Tx, ctx: Ctx): Promise<StatusPageSettings> {
  const org = await pageOrgOf(db, ctx);
  const [row] = await db
    .select({
      name: statusPageSettings.name,
      brandColor: statusPageSettings.brandColor,
      publicUrl: statusPageSettings.publicUrl,
      supportUrl: statusPageSettings.supportUrl,
      contactUrl: statusPageSettings.contactUrl,
      timeZone: statusPageSettings.timeZone,
      notice: statusPageSettings.notice,
      logoHash: statusPageSettings.logoHash,
      logoContentType: statusPageSettings.logoContentType,
      logoBytes: statusPageSettings.logoBytes,
      updatedAt: statusPageSettings.updatedAt,
    })
    .from(statusPageSettings)
    .where(eq(statusPageSettings.orgId, org.id));
  return {
    name: row?.name ?? null,
    defaultName: org.name,
    brandColor: row?.brandColor ?? null,
    publicUrl: row?.publicUrl ?? null,
    supportUrl: row?.supportUrl ?? null,
    contactUrl: row?.contactUrl ?? null,
    timeZone: row?.timeZone ?? DEFAULT_TIME_ZONE,
    notice: row?.notice ?? null,
    logo:
      row?.logoHash && row.logoContentType
        ? {
            url: logoUrlOf(row.logoHash),
            contentType: row.logoContentType,
            bytes: row.logoBytes ?? 0,
          }
        : null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

export async function getStatusPageSettings({ ctx }: { ctx: Ctx }): Promise<StatusPageSettings> {
  requirePermission(ctx, "status_page:manage");
  return readSettings(ctx.db, ctx);
}

type Patch = Partial<typeof statusPageSettings.$inferInsert>;

/** Writes a patch to the page's settings row (created on first change), in `tx`. */
async function writeSettings(tx: Tx, orgId: string, patch: Patch) {
  await tx
    .insert(statusPageSettings)
    .values({ ...patch, orgId, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: statusPageSettings.orgId,
      set: { ...patch, updatedAt: new Date() },
    });
  // Every public surface shows the settings: drop the snapshot here and on every instance.
  statusChangesOnCommit(tx);
}

/**
 * Changes the page's settings. Only the fields given change; null or "" puts one back to its
 * default. Every public surface shows the change at once.
 */
export async function updateStatusPageSettings({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<StatusPageSettings> {
  requirePermission(ctx, "status_page:manage");
  const data = parseInput(UpdateStatusPageInput, input);
  return withTransaction(ctx, async (tx) => {
    const org = await pageOrgOf(tx, ctx);
    const patch: Patch = {};
    for (const [k, v] of Object.entries(data) as [keyof typeof data, string | null][]) {
      if (v === undefined) continue;
      if (k === "timeZone") patch.timeZone = v ?? DEFAULT_TIME_ZONE;
      else patch[k] = v;
    }
    await writeSettings(tx, org.id, patch);
    await recordAudit(tx, ctx, {
      action: "status_page.updated",
      targetType: "status_page",
      targetId: org.id,
      data: { changed: Object.keys(patch) },
    });
    return readSettings(tx, ctx);
  });
}

const IMAGE_TYPES: { type: string; test: (b: Buffer) => boolean }[] = [
  {
    type: "image/png",
    test: (b) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    type: "image/jpeg",
    test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  {
    type: "image/webp",
    test: (b) =>
      b.length > 12 &&
      b.subarray(0, 4).toString("latin1") === "RIFF" &&
      b.subarray(8, 12).toString("latin1") === "WEBP",
  },
];

/** The image type of `bytes` from its first bytes (never from a name or a declared type). */
export function sniffImageType(bytes: Buffer): string | null {
  return IMAGE_TYPES.find((t) => t.test(bytes))?.type ?? null;
}

const logoIssue = (message: string) => new ValidationError([{ field: "logo", message }]);

/**
 * Sets the page's logo from an uploaded image: PNG, JPEG or WebP by its content, at most
 * LOGO_MAX_BYTES. SVG is refused (it can carry script). Stored in the database and served at a
 * URL with its content hash.
 */
export async function setStatusPageLogo({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<StatusPageSettings> {
  requirePermission(ctx, "status_page:manage");
  const { logo } = parseInput(
    z.object({
      logo: z.instanceof(Uint8Array, { message: "must be an uploaded image file" }),
    }),
    input,
  );
  const bytes = Buffer.from(logo.buffer, logo.byteOffset, logo.byteLength);
  if (bytes.length === 0) throw logoIssue("must not be empty");
  if (bytes.length > LOGO_MAX_BYTES)
    throw logoIssue(
      `must be at most ${LOGO_MAX_BYTES / 1024} KB (this one is ${Math.ceil(bytes.length / 1024)} KB)`,
    );
  const type = sniffImageType(bytes);
  if (!type) {
    const text = bytes.subarray(0, 512).toString("utf8").trimStart().toLowerCase();
    throw logoIssue(
      text.startsWith("<svg") || text.startsWith("<?xml")
        ? "SVG is not accepted (it can carry scripts); upload a PNG, JPEG or WebP image"
        : "must be a PNG, JPEG or WebP image",
    );
  }
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 32);
  return withTransaction(ctx, async (tx) => {
    const org = await pageOrgOf(tx, ctx);
    await writeSettings(tx, org.id, {
      logo: bytes,
      logoContentType: type,
      logoHash: hash,
      logoBytes: bytes.length,
    });
    await recordAudit(tx, ctx, {
      action: "status_page.logo_set",
      targetType: "status_page",
      targetId: org.id,
      data: { contentType: type, bytes: bytes.length, hash },
    });
    return readSettings(tx, ctx);
  });
}

export async function removeStatusPageLogo({ ctx }: { ctx: Ctx }): Promise<StatusPageSettings> {
  requirePermission(ctx, "status_page:manage");
  return withTransaction(ctx, async (tx) => {
    const org = await pageOrgOf(tx, ctx);
    await writeSettings(tx, org.id, {
      logo: null,
      logoContentType: null,
      logoHash: null,
      logoBytes: null,
    });
    await recordAudit(tx, ctx, {
      action: "status_page.logo_removed",
      targetType: "status_page",
      targetId: org.id,
    });
    return readSettings(tx, ctx);
  });
}

/** The current logo, if `hash` is its hash (an old logo's URL is not found). Public. */
export async function loadStatusPageLogo(
  db: Db,
  hash: string,
): Promise<{ bytes: Buffer; contentType: string } | null> {
  if (!/^[0-9a-f]{32}$/.test(hash)) return null;
  const org = await loadPageOrg(db);
  const [row] = await db
    .select({ logo: statusPageSettings.logo, contentType: statusPageSettings.logoContentType })
    .from(statusPageSettings)
    .where(and(eq(statusPageSettings.orgId, org.id), eq(statusPageSettings.logoHash, hash)));
  if (!row?.logo || !row.contentType) return null;
  return { bytes: row.logo, contentType: row.contentType };
}
