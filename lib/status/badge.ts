import type { ComponentStatus } from "@/db/schema";
import { STATUS_LABELS } from "./derive";
import type { Indicator } from "./derive";

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

const INDICATOR_COLOR: Record<Indicator, string> = {
  none: "#2e7d32",
  minor: "#b26a00",
  major: "#c62828",
  critical: "#8e0000",
  maintenance: "#1565c0",
};
const STATUS_COLOR: Record<ComponentStatus, string> = {
  operational: "#2e7d32",
  under_maintenance: "#1565c0",
  degraded_performance: "#b26a00",
  partial_outage: "#d84315",
  major_outage: "#c62828",
};

/** Rough width of Verdana 11px text, enough to size a shields-style badge without a font. */
const textWidth = (s: string) => Math.round(s.length * 6.5 + 10);

function svg(label: string, message: string, color: string): string {
  const lw = textWidth(label);
  const mw = textWidth(message);
  const w = lw + mw;
  const l = escapeXml(label);
  const m = escapeXml(message);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}"><title>${l}: ${m}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${lw / 2}" y="14">${l}</text><text x="${lw + mw / 2}" y="14">${m}</text></g></svg>`;
}

export function overallBadge(indicator: { indicator: Indicator; description: string }): string {
  return svg("status", indicator.description, INDICATOR_COLOR[indicator.indicator]);
}

export function componentBadge(name: string, status: ComponentStatus): string {
  return svg(name, STATUS_LABELS[status], STATUS_COLOR[status]);
}
