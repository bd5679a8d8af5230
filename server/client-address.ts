import http from "node:http";
import { CLIENT_ADDRESS_HEADER } from "@/lib/client-address";

const g = globalThis as unknown as { __beaconClientAddress?: () => void };

/** Drops any client-sent copy of the header and sets it to the socket's remote address. */
export function stampClientAddress(req: http.IncomingMessage): void {
  delete req.headers[CLIENT_ADDRESS_HEADER];
  const raw: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== CLIENT_ADDRESS_HEADER)
      raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  const address = req.socket?.remoteAddress;
  if (address) {
    req.headers[CLIENT_ADDRESS_HEADER] = address;
    raw.push(CLIENT_ADDRESS_HEADER, address);
  }
  req.rawHeaders = raw;
}

/**
 * Route handlers cannot see the socket, so this hook (on `http.Server.prototype.emit`, the one
 * that runs before Next's handler) hands its address to them in CLIENT_ADDRESS_HEADER. A client
 * cannot forge it: whatever it sent under that name is dropped first. Installed once per process.
 */
export function installClientAddress(): () => void {
  if (g.__beaconClientAddress) return g.__beaconClientAddress;
  const original = http.Server.prototype.emit as (
    this: http.Server,
    event: string,
    ...args: unknown[]
  ) => boolean;
  http.Server.prototype.emit = function emitWithClientAddress(
    this: http.Server,
    event: string,
    ...args: unknown[]
  ) {
    if (event === "request") stampClientAddress(args[0] as http.IncomingMessage);
    return original.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  const uninstall = () => {
    http.Server.prototype.emit = original as typeof http.Server.prototype.emit;
    g.__beaconClientAddress = undefined;
  };
  g.__beaconClientAddress = uninstall;
  return uninstall;
}
