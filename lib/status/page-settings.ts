import { eq } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { env } from "@/lib/env";
import { statusPageSettings } from "@/db/schema";
import { renderMarkdown } from "@/lib/markdown";

/**
 * The status page's settings as every public surface sees them (part of the snapshot's
 * StatusView, so a change reaches the page, /api/v2, feeds and badge when the snapshot drops).
 * With no settings row every field is its default and the page looks exactly as before.
 */
export interface PageSettingsView {
  /** The setting; null: the platform organization's name. */
  name: string | null;
  /** Public address of the page (an https origin); null: APP_URL. */
  url: string | null;
  /** Path of the logo image, with its content hash; null: no logo. */
  logoUrl: string | null;
  /** `#rrggbb`; null: Beacon's default look. */
  brandColor: string | null;
  /** Black or white, whichever reads better on brandColor. */
  brandTextColor: string | null;
  supportUrl: string | null;
  contactUrl: string | null;
  /** IANA zone times are shown in until the visitor's browser shows its own. */
  timeZone: string;
  /** Sanitised HTML of the notice banner; null: none. */
  noticeHtml: string | null;
}

export const DEFAULT_TIME_ZONE = "UTC";
export const LOGO_PATH = "/status-page-logo";

export const logoUrlOf = (hash: string) => `${LOGO_PATH}/${hash}`;

/** Relative luminance of `#rrggbb` (WCAG 2). */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio between two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour (black or white) with the higher contrast on `background`. */
export function readableTextColor(background: string): "#000000" | "#ffffff" {
  return contrastRatio(background, "#000000") >= contrastRatio(background, "#ffffff")
    ? "#000000"
    : "#ffffff";
}

export const DEFAULT_PAGE_SETTINGS: PageSettingsView = {
  name: null,
  url: null,
  logoUrl: null,
  brandColor: null,
  brandTextColor: null,
  supportUrl: null,
  contactUrl: null,
  timeZone: DEFAULT_TIME_ZONE,
  noticeHtml: null,
};

/** The page owner's settings, without the logo's bytes. */
export async function loadPageSettings(db: Db, orgId: string): Promise<PageSettingsView> {
  const [row] = await db
    .select({
      name: statusPageSettings.name,
      publicUrl: statusPageSettings.publicUrl,
      logoHash: statusPageSettings.logoHash,
      brandColor: statusPageSettings.brandColor,
      supportUrl: statusPageSettings.supportUrl,
      contactUrl: statusPageSettings.contactUrl,
      timeZone: statusPageSettings.timeZone,
      notice: statusPageSettings.notice,
    })
    .from(statusPageSettings)
    .where(eq(statusPageSettings.orgId, orgId));
  if (!row) return DEFAULT_PAGE_SETTINGS;
  const noticeHtml = row.notice ? renderMarkdown(row.notice) : "";
  return {
    name: row.name,
    url: row.publicUrl,
    logoUrl: row.logoHash ? logoUrlOf(row.logoHash) : null,
    brandColor: row.brandColor,
    brandTextColor: row.brandColor ? readableTextColor(row.brandColor) : null,
    supportUrl: row.supportUrl,
    contactUrl: row.contactUrl,
    timeZone: row.timeZone,
    noticeHtml: noticeHtml || null,
  };
}

/**
 * Where public links (an incident's or maintenance's page, in alerts and subscriber emails)
 * point: the page's public URL setting, else APP_URL.
 */
export async function publicBaseUrl(db: Db | Tx, orgId: string): Promise<string> {
  const [row] = await db
    .select({ publicUrl: statusPageSettings.publicUrl })
    .from(statusPageSettings)
    .where(eq(statusPageSettings.orgId, orgId));
  return row?.publicUrl ?? env.APP_URL;
}
