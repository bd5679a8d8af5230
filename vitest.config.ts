import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    environment: "node",
    // next-auth imports "next/server" without an extension, which only a bundler resolves.
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 30_000,
    // Creating and seeding a database per file can take most of a minute on a busy 2-core machine.
    hookTimeout: 120_000,
    // Each file gets its own database, so files can run in parallel on both engines.
    fileParallelism: true,
  },
});
