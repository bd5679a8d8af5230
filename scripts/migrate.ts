import { openConfiguredDatabase } from "@/db";
import { migrateDatabase } from "@/db/migrate";
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
