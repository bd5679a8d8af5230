import { openConfiguredDatabase, prepareDatabase } from "@/server/database";
import { formatDemoCredentials } from "@/server/seed";
import { env } from "@/lib/env";
import { runScript } from "./run";

await runScript(async () => {
  const handle = await openConfiguredDatabase();
  try {
    const result = await prepareDatabase(handle, { demo: env.demoData });
    console.error(
      result.created
        ? formatDemoCredentials(result) || "Seeded the platform catalogue."
        : "Already seeded; nothing to do.",
    );
  } finally {
    await handle.close();
  }
});
