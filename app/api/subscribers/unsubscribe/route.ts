import { unsubscribeRoute } from "@/app/_server/unsubscribe-route";
import { unsubscribe } from "@/lib/subscribers/subscribe";

/** A public subscriber stops status updates. */
export const { GET, POST } = unsubscribeRoute({
  document: (body) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Unsubscribe from status updates</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}<p><a href="/">Back to the status page</a></p></body></html>`,
  question:
    "<h1>Stop status updates?</h1><p>You will no longer receive public incident and maintenance updates.</p>",
  unsubscribe: async (db, token) => (await unsubscribe(db, token)).destination,
  stops: "status updates",
  invalid: "This subscription was already removed, or the link is wrong.",
});
