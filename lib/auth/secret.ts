import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { randomToken } from "./tokens";

let cached: string | undefined;

/**
 * AUTH_SECRET, or in development a generated one kept in DATA_DIR so sessions survive restarts.
 * (lib/env.ts already refuses to start production without AUTH_SECRET.)
 */
export function getAuthSecret(): string {
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  if (cached) return cached;
  const file = path.resolve(env.DATA_DIR, "auth-secret");
  try {
    cached = fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    cached = randomToken(48);
    fs.writeFileSync(file, cached, { mode: 0o600 });
  }
  return cached;
}
