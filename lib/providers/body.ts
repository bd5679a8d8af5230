import { readBoundedBody } from "@/lib/body";

export { PayloadTooLargeError } from "@/lib/body";

/** Provider callbacks are a few kilobytes; anything far larger is not one. */
export const MAX_CALLBACK_BYTES = 256 * 1024;

/** The raw body (signatures cover the exact bytes), refused past MAX_CALLBACK_BYTES. */
export async function readCallbackBody(req: Request): Promise<string> {
  return (await readBoundedBody(req, MAX_CALLBACK_BYTES)).toString("utf8");
}
