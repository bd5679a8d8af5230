import { inngest } from "@/inngest/client";
import { createAlertFunctions } from "@/inngest/functions";
import { getDb } from "./database";

export { inngest };

const alerts = createAlertFunctions(inngest, { getDb });

/** Everything served at /api/inngest, bound to the app's database. */
export const functions = Object.values(alerts);
