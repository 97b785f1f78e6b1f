/** Loopback networking for the suite: free ports, and raw HTTP requests with every header under control. */
import { request as httpRequest } from "node:http";
import { createServer, type AddressInfo } from "node:net";

/** The only address the suite listens on or connects to. */
export const LOOPBACK = "127.0.0.1";

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A response, read whole. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options of one request. */
export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs?: number;
  /** The local address to connect from: another loopback address (127.0.0.2, …) plays another client. */
  from?: string;
}

/**
 * One HTTP/1.1 request to a loopback URL. node:http, not fetch, so that headers such as `Host` and
 * `CF-Connecting-IP` go out exactly as given.
 */
export function send(url: string, o: RequestOptions = {}): Promise<Reply> {
  const u = new URL(url);
  if (u.hostname !== LOOPBACK) return Promise.reject(new Error(`refusing to leave loopback: ${url}`));
  if (o.from !== undefined && !o.from.startsWith("127.")) return Promise.reject(new Error(`not a loopback source: ${o.from}`));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: LOOPBACK,
        port: Number(u.port),
        path: `${u.pathname}${u.search}`,
        method: o.method ?? "GET",
        headers: o.headers,
        timeout: o.timeoutMs ?? 10_000,
        agent: false,
        localAddress: o.from,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out: ${o.method ?? "GET"} ${url}`)));
    req.on("error", reject);
    req.end(o.body);
  });
}

/** `Authorization: Basic` as Prometheus and Alloy send it: the stack id as username, the token as password. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
