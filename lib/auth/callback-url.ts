const BASE = "http://beacon.invalid";

/**
 * Only same-site paths: the value is resolved against a fixed origin and anything that lands on
 * another origin ("//host", "/\\host", "/%09/host", absolute URLs) falls back, so it can never be
 * an open redirect. Returns the normalised path, query and hash.
 */
export function safeCallbackUrl(value: unknown, fallback = "/portal"): string {
  if (typeof value !== "string" || !value.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search + url.hash;
  // A path that still starts with two slashes would be read by a browser as a host.
  return path.startsWith("//") ? fallback : path;
}
