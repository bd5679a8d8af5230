import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${path.resolve(import.meta.dirname)}/` },
      // next-auth imports "next/server" without the extension Node's ESM resolver needs.
      { find: /^next\/server$/, replacement: "next/server.js" },
    ],
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    environment: "node",
    // On PostgreSQL: one migrated template database per run, copied for each test file.
    globalSetup: ["./test/global-setup.ts"],
    // Loaded through Vite so that the alias above applies (app/_server/auth-epoch.test.ts).
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 30_000,
    // Creating and seeding a database per file can take most of a minute on a busy 2-core machine.
    hookTimeout: 120_000,
    // Each file gets its own database, so files can run in parallel on both engines.
    fileParallelism: true,
  },
});
