import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import type { AlertMessage } from "./message";

/**
 * SMS is billed per segment: 160 GSM-7 characters for one, 153 each when split; any character
 * outside GSM-7 switches the whole message to UCS-2 (70/67). So the text is folded to GSM-7 and
 * trimmed to fit one segment where possible.
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€";
const FOLD: Record<string, string> = {
  "‘": "'",
  "’": "'",
  "“": '"',
  "”": '"',
  "–": "-",
  "—": "-",
  "…": "...",
  "·": "-",
  "→": "->",
  "\u00a0": " ",
};

export function toGsm(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = FOLD[ch] ?? ch;
    for (const cc of c) out += GSM_BASIC.includes(cc) || GSM_EXTENDED.includes(cc) ? cc : "?";
  }
  return out;
}

export function gsmLength(text: string): number {
  let n = 0;
  for (const ch of text) n += GSM_EXTENDED.includes(ch) ? 2 : 1;
  return n;
}

function fit(prefix: string, variable: string, suffix: string, budget: number): string {
  const fixed = gsmLength(prefix) + gsmLength(suffix);
  if (fixed + gsmLength(variable) <= budget) return prefix + variable + suffix;
  let v = variable;
  while (v.length > 0 && fixed + gsmLength(v) + 3 > budget) v = v.slice(0, -1);
  return prefix + v.trimEnd() + "..." + suffix;
}

/** One segment when it can be: the title is shortened before the link is dropped. */
export function composeSms(message: AlertMessage): string {
  // The tenant's text, folded to GSM-7 and cut to its limit when rendered.
  if (message.custom?.channel === "sms") return message.custom.text;
  if (message.digest) {
    return toGsm(
      fit(
        `[Beacon] ${message.items.length} alerts: `,
        message.items.map((i) => i.payload.title).join("; "),
        ` ${message.url}`,
        160,
      ),
    );
  }
  const item = message.items[0]!;
  const p = item.payload;
  const prefix = toGsm(
    item.kind === "user.warning"
      ? "[Beacon] Warning: "
      : item.kind === "ticket.notice"
        ? "[Beacon] Support: "
        : `[Beacon] ${IMPACT_LABELS[p.impact]} ${CATEGORY_LABELS[p.category]}${item.kind === "incident.resolved" ? " RESOLVED" : ""}: `,
  );
  const title = toGsm(p.title + (p.status ? ` (${p.status})` : ""));
  const link = ` ${message.url}`;
  if (gsmLength(prefix) + 20 + gsmLength(link) <= 160) return fit(prefix, title, link, 160);
  return fit(prefix, title, "", 160);
}
