import js from "@eslint/js";
import tseslint from "typescript-eslint";
import drizzle from "eslint-plugin-drizzle";
import nextPlugin from "@next/eslint-plugin-next";
import beacon from "./eslint/beacon.mjs";

/** Files under `files` may not import the top-level folders in `forbidden`, by alias or relative path. */
function layer(files, forbidden, exceptions = []) {
  const names = forbidden.join("|");
  return {
    files,
    ignores: ["**/*.test.ts", "**/*.test.tsx", ...exceptions],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `^(@/|(\\.\\./)+)(${names})(/|$)`,
              message: `${files[0].split("/")[0]}/ may not import ${forbidden.map((f) => `${f}/`).join(", ")}: imports point db ← lib ← server/inngest ← app/components.`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "db/migrations/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { drizzle, "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/env.ts." },
      ],
    },
  },
  {
    files: [
      "lib/env.ts",
      "instrumentation.ts",
      "scripts/**",
      "e2e/**",
      "bench/**",
      "playwright.config.ts",
      "vitest.config.ts",
      "test/**",
      "db/test-db.ts",
      "**/*.test.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  // Layers: imports point one way, db ← lib ← server/inngest ← app/components. Tests, scripts,
  // bench and e2e may import anything.
  layer(["db/**"], ["lib", "server", "inngest", "app", "components"]),
  layer(["lib/**"], ["server", "inngest", "app", "components"]),
  layer(["server/**"], ["app", "components"]),
  // server/ starts the job drivers, inngest/ among them; inngest/ gets the database passed in.
  layer(["inngest/**"], ["server", "app", "components"]),
  // Components get server actions as props, and own the result types they display.
  layer(["components/**"], ["app"]),
  {
    // How a verb is written: lib/VERBS.md.
    files: ["lib/**/*.ts"],
    ignores: ["**/*.test.ts"],
    plugins: { beacon },
    rules: { "beacon/verb-shape": "error" },
  },
  {
    files: ["lib/**/*.ts"],
    ignores: ["**/*.test.ts", "lib/context.ts"],
    plugins: { beacon },
    rules: { "beacon/no-raw-transaction": "error" },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
  },
);
