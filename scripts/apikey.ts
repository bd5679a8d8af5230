import { parseArgs } from "node:util";
import { openConfiguredDatabase, prepareDatabase } from "@/server/database";
import { formatDemoCredentials } from "@/server/seed";
import { env } from "@/lib/env";
import { createApiKey } from "@/lib/api-keys/keys";
import { ROLES } from "@/lib/auth/roles";
import { systemCtx } from "@/lib/system-ctx";
import { runScript } from "./run";

// Prints a new API key, alone on standard output, so scripts can capture it:
//   KEY=$(npm run -s apikey -- --org acme --role org_admin)
await runScript(async () => {
  const { values } = parseArgs({
    options: { org: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
  });
  if (!values.org || !values.role) {
    throw new Error(
      `usage: npm run apikey -- --org <slug> --role <${ROLES.join("|")}> [--name <label>]`,
    );
  }
  const handle = await openConfiguredDatabase();
  try {
    const seeded = await prepareDatabase(handle, { demo: env.demoData });
    if (seeded.created) console.error(formatDemoCredentials(seeded));
    const ctx = await systemCtx(handle.db, values.org, "org_admin");
    // Creating keys needs apikeys:manage, which both admin roles have; the key gets the asked role.
    const adminCtx =
      ctx.org.kind === "platform" ? await systemCtx(handle.db, values.org, "platform_admin") : ctx;
    const { secret } = await createApiKey({
      ctx: adminCtx,
      input: { name: values.name ?? `CLI key (${values.role})`, role: values.role },
    });
    process.stdout.write(`${secret}\n`);
  } finally {
    await handle.close();
  }
});
