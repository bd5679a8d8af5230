import { z } from "zod";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import { itemHeadline, itemUrl, type AlertItem } from "./message";
import { postToDestination } from "./net";
import { defineAdapter } from "./types";

const IMPACT_EMOJI = {
  none: ":information_source:",
  minor: ":large_yellow_circle:",
  major: ":large_orange_circle:",
  critical: ":red_circle:",
};

/** Slack mrkdwn needs &, < and > escaped; everything else is literal. */
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function itemBlocks(item: AlertItem, appUrl: string) {
  const p = item.payload;
  const lines = [`${IMPACT_EMOJI[p.impact]} *${mrkdwn(itemHeadline(item))}*`];
  if (p.status) lines.push(`*Status:* ${mrkdwn(p.status)}`);
  if (p.message) lines.push(mrkdwn(p.message.slice(0, 2500)));
  return [
    {
      type: "section",
      text: { type: "mrkdwn", text: lines.join("\n") },
      accessory: {
        type: "button",
        text: { type: "plain_text", text: "View" },
        url: itemUrl(item, appUrl),
      },
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${CATEGORY_LABELS[p.category]} · ${IMPACT_LABELS[p.impact]} impact`,
        },
      ],
    },
  ];
}

export const slackAdapter = defineAdapter({
  type: "slack",
  configSchema: z.object({ url: z.url() }),
  async send({ config, message, settings }) {
    if (message.custom?.channel === "slack") {
      // The tenant's text, its values already escaped for mrkdwn when rendered.
      const res = await postToDestination(
        "Slack",
        config.url,
        {
          body: JSON.stringify({
            text: message.custom.text,
            blocks: [{ type: "section", text: { type: "mrkdwn", text: message.custom.text } }],
          }),
          headers: { "content-type": "application/json" },
        },
        settings,
      );
      return { providerId: null, responseCode: res.status };
    }
    // Slack allows 50 blocks; a digest keeps the newest 23 items (2 blocks each) plus header/footer.
    const items = message.items.slice(-23);
    const blocks = [
      {
        type: "header",
        text: {
          type: "plain_text",
          text: message.digest ? `Beacon digest: ${message.items.length} alerts` : "Beacon alert",
        },
      },
      ...items.flatMap((i) => itemBlocks(i, settings.appUrl)),
    ];
    const res = await postToDestination(
      "Slack",
      config.url,
      {
        body: JSON.stringify({ text: message.subject, blocks }),
        headers: { "content-type": "application/json" },
      },
      settings,
    );
    return { providerId: null, responseCode: res.status };
  },
});
