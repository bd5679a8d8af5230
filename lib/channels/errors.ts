/**
 * Adapters throw DeliveryError on failure. `permanent` means retrying cannot help (most 4xx, bad
 * config); `gone` (HTTP 410) also disables the endpoint; `retryAfterMs` comes from Retry-After;
 * `network: "timeout"` means the receiver did not answer in time (retried fewer times; see retry.ts).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    public readonly opts: {
      responseCode?: number;
      permanent?: boolean;
      gone?: boolean;
      retryAfterMs?: number;
      /**
       * Why no answer came, when none did: the destination was refused (SSRF guard), the
       * deadline passed, or the connection failed. Lets callers word it for whoever sees it.
       */
      network?: "refused" | "timeout" | "unreachable";
      /** For "unreachable": the system error code (ECONNREFUSED, …), never an address. */
      networkCode?: string;
    } = {},
  ) {
    super(message);
    this.name = "DeliveryError";
  }
  get responseCode() {
    return this.opts.responseCode;
  }
  get permanent() {
    return Boolean(this.opts.permanent || this.opts.gone);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 408 and 429 and 5xx are worth retrying; any other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function httpFailure(
  provider: string,
  status: number,
  body: string,
  retryAfter?: string | null,
): DeliveryError {
  const snippet = body.replace(/\s+/g, " ").trim().slice(0, 300);
  return new DeliveryError(`${provider} answered HTTP ${status}${snippet ? `: ${snippet}` : ""}`, {
    responseCode: status,
    permanent: !isRetryableStatus(status),
    gone: status === 410,
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}

const PROVIDER_TIMEOUT_MS = 15_000;

/** A provider's HTTP API; a network failure or a 15-second silence is a (retryable) DeliveryError. */
export async function callProvider(provider: string, url: string, init: RequestInit) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (e) {
    if ((e as Error).name === "TimeoutError")
      throw new DeliveryError(`${provider} timed out after ${PROVIDER_TIMEOUT_MS / 1000} s`, {
        network: "timeout",
      });
    throw new DeliveryError(`${provider} unreachable: ${(e as Error).message}`);
  }
}

/** A provider's answer as text, and as JSON when it is JSON. */
export async function readJson(
  res: Response,
): Promise<{ text: string; json: Record<string, unknown> | null }> {
  const text = await res.text().catch(() => "");
  try {
    return { text, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { text, json: null };
  }
}
