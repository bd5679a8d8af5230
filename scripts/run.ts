import { ServiceError, ValidationError } from "@/lib/errors";

/** Runs a command-line script: errors go to stderr as one clear line, with exit code 1. */
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const message =
      e instanceof ValidationError
        ? e.issues.map((i) => `--${i.field}: ${i.message}`).join("\n")
        : e instanceof ServiceError || e instanceof Error
          ? e.message
          : String(e);
    console.error(`error: ${message}`);
    process.exit(1);
  }
}
