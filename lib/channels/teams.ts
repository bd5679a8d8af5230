import { z } from "zod";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import { itemHeadline, itemUrl, type AlertItem } from "./message";
import { postToDestination } from "./net";
import { defineAdapter } from "./types";

const IMPACT_COLOR = {
  none: "Default",
  minor: "Warning",
  major: "Warning",
  critical: "Attention",
} as const;

function itemElements(item: AlertItem, appUrl: string) {
  const p = item.payload;
  return [
    {
      type: "TextBlock",
      text: itemHeadline(item),
      weight: "Bolder",
      wrap: true,
      color: IMPACT_COLOR[p.impact],
      separator: true,
    },
    {
      type: "FactSet",
      facts: [
        { title: "Category", value: CATEGORY_LABELS[p.category] },
        { title: "Impact", value: IMPACT_LABELS[p.impact] },
        ...(p.status ? [{ title: "Status", value: p.status }] : []),
      ],
    },
    ...(p.message ? [{ type: "TextBlock", text: p.message.slice(0, 2000), wrap: true }] : []),
    {
      type: "ActionSet",
      actions: [{ type: "Action.OpenUrl", title: "View details", url: itemUrl(item, appUrl) }],
    },
  ];
}

/** Teams Workflows ("When a Teams webhook request is received") accepts an Adaptive Card message. */
export const teamsAdapter = defineAdapter({
  type: "teams",
  configSchema: z.object({ url: z.url() }),
  async send({ config, message, settings }) {
    const card = {
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      body: [
        {
          type: "TextBlock",
          text: message.digest ? `Beacon digest: ${message.items.length} alerts` : "Beacon alert",
          size: "Large",
          weight: "Bolder",
        },
        ...(message.custom?.channel === "teams"
          ? // The tenant's text, its values already escaped for Teams markdown when rendered.
            [{ type: "TextBlock", text: message.custom.text, wrap: true }]
          : message.items.slice(-20).flatMap((i) => itemElements(i, settings.appUrl))),
      ],
    };
    const res = await postToDestination(
      "Teams",
      config.url,
      {
        body: JSON.stringify({
          type: "message",
          attachments: [
            {
              contentType: "application/vnd.microsoft.card.adaptive",
              contentUrl: null,
              content: card,
            },
          ],
        }),
        headers: { "content-type": "application/json" },
      },
      settings,
    );
    return { providerId: null, responseCode: res.status };
  },
});
