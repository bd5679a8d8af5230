import { ServiceError } from "@/lib/errors";

/** Provider callbacks are a few kilobytes; anything far larger is not one. */
export const MAX_CALLBACK_BYTES = 256 * 1024;

export class PayloadTooLargeError extends ServiceError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}

/** The raw body (signatures cover the exact bytes), refused past MAX_CALLBACK_BYTES. */
export async function readCallbackBody(req: Request): Promise<string> {
  const tooLarge = () =>
    new PayloadTooLargeError(`(body): must be at most ${MAX_CALLBACK_BYTES} bytes`);
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_CALLBACK_BYTES) throw tooLarge();
  // Read as it arrives, so a body without a Content-Length cannot make us buffer more than the limit.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CALLBACK_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
