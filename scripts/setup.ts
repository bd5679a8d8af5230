import { parseArgs } from "node:util";
import { text } from "node:stream/consumers";
import { eq } from "drizzle-orm";
import { organizations, PLATFORM_SLUG } from "@/db/schema";
import { openConfiguredDatabase, prepareDatabase } from "@/server/database";
import { env } from "@/lib/env";
import { randomToken } from "@/lib/auth/tokens";
import { completeSetup } from "@/lib/setup/setup";
import { runScript } from "./run";

// First run from a terminal, for scripted installs: the same as the printed /setup link.
//   npm run -s setup -- --email ops@example.com --name "Ops" [--page-name "Example Status"]
//   printf '%s\n' "$PASSWORD" | npm run -s setup -- --email … --name … --password-stdin
// Without --password-stdin a random password is generated and printed, alone on standard output.
await runScript(async () => {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      "page-name": { type: "string" },
      "password-stdin": { type: "boolean" },
    },
  });
  if (!values.email || !values.name) {
    throw new Error(
      "usage: npm run setup -- --email <address> --name <your name> [--page-name <status page name>] [--password-stdin]",
    );
  }
  const generated = values["password-stdin"] ? null : randomToken(18);
  const password = generated ?? (await text(process.stdin)).split(/\r?\n/)[0] ?? "";
  const handle = await openConfiguredDatabase();
  try {
    // Never the demo data here: its demo platform admin would make setup impossible.
    await prepareDatabase(handle, { demo: false });
    const [platform] = await handle.db
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.slug, PLATFORM_SLUG));
    const done = await completeSetup({
      db: handle.db,
      input: {
        email: values.email,
        name: values.name,
        password,
        pageName: values["page-name"] ?? platform?.name,
      },
      via: "terminal",
    });
    console.error(
      `Created platform admin ${done.email}; status page "${done.pageName}". Sign in at ${new URL("/signin", env.APP_URL)}.`,
    );
    if (generated) {
      console.error("Generated password (shown once; change it on My notifications):");
      process.stdout.write(`${generated}\n`);
    }
  } finally {
    await handle.close();
  }
});
