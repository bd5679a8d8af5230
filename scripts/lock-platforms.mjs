// Some registry mirrors do not serve the platform-specific optional packages of Next (SWC) and
// Tailwind (oxide) for other platforms, so `npm install` leaves them out of package-lock.json and
// `npm ci` then refuses the lock as out of sync. This adds the missing entries, marked optional with
// the os/cpu their names encode, so `npm ci` skips them on other platforms exactly as usual.
// Run after changing dependencies: `npm run lock:platforms`.
import fs from "node:fs";

const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const platformOf = (name) => {
  const suffix = name
    .split("/")
    .pop()
    .replace(/^(oxide|swc)-/, "");
  if (suffix.startsWith("wasm32")) return { cpu: ["wasm32"] };
  const [os, cpu] = suffix.split("-");
  const libc = suffix.includes("musl")
    ? ["musl"]
    : suffix.includes("gnu") && os === "linux"
      ? ["glibc"]
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
};
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (!/^@(next\/swc|tailwindcss\/oxide)-/.test(name)) continue;
    const candidates = [`${path ? path + "/" : ""}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((c) => lock.packages[c])) continue;
    lock.packages[`node_modules/${name}`] = {
      version,
      dev: pkg.dev,
      optional: true,
      ...platformOf(name),
    };
    added++;
  }
}
fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log(`lock-platforms: added ${added} entries`);
