import { getDb } from "@/db";
import { inngest } from "./client";
import { createAlertFunctions } from "./functions";

export { inngest };

const alerts = createAlertFunctions(inngest, { getDb });

/** Everything served at /api/inngest. */
export const functions = Object.values(alerts);
