import { unsubscribeRoute } from "@/app/_server/unsubscribe-route";
import { unsubscribeRecipient } from "@/lib/alerts/unsubscribe";

/** A tenant's extra recipient leaves the alerts its organization sends it. */
export const { GET, POST } = unsubscribeRoute({
  document: (body) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto">${body}</body></html>`,
  question: "<h1>Stop these alerts?</h1>",
  unsubscribe: async (db, token) => (await unsubscribeRecipient(db, token)).address,
  stops: "these alerts",
  invalid: "This address is already unsubscribed, or the link is wrong.",
});
