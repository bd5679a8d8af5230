import { migrateDatabase } from "@/db/migrate";
import { openConfiguredDatabase } from "@/server/database";
import { runScript } from "./run";

await runScript(async () => {
  const handle = await openConfiguredDatabase();
  try {
    await migrateDatabase(handle);
    console.error(`Migrations applied (${handle.engine}).`);
  } finally {
    await handle.close();
  }
});
