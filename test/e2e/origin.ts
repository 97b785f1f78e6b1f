/**
 * The origin behind the gateways: a small Node HTTP server that verifies every decision it receives
 * through Keycard's JWKS (jose, EdDSA, `typ`, `iss` and `aud` pinned) and records what it accepted.
 * A request without a valid decision gets 401 and is counted as rejected.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { LOOPBACK } from "./net.ts";

/** One request the origin accepted. */
export interface Accepted {
  at: number;
  /** The suite's own marker (`X-E2E-Probe`) on requests it sends itself; null for Prometheus'. */
  probe: string | null;
  method: string;
  path: string;
  /** The verified claims. */
  claims: JWTPayload & { org?: string; stack?: string; scope?: string; ip?: string };
  decision: string;
  /** Headers as received (names lower-case). */
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  bodySha256: string;
}

/** One request the origin refused, and why. */
export interface Rejected {
  at: number;
  probe: string | null;
  path: string;
  reason: string;
}

/** The running origin and what it saw. */
export interface Origin {
  port: number;
  accepted: Accepted[];
  rejected: Rejected[];
  close(): Promise<void>;
}

/** Starts the origin on 127.0.0.1:`port`, verifying decisions issued by `issuer`. */
export async function startOrigin(port: number, issuer: string): Promise<Origin> {
  const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", issuer), { timeoutDuration: 5000 });
  const accepted: Accepted[] = [];
  const rejected: Rejected[] = [];

  const server: Server = createServer((req, res) => {
    void handle(req).then(
      (status) => {
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(status === 200 ? "ok\n" : "no valid decision\n");
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });

  async function handle(req: IncomingMessage): Promise<number> {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0]!;
    const probe = typeof req.headers["x-e2e-probe"] === "string" ? req.headers["x-e2e-probe"] : null;
    const decision = req.headers["x-keycard-decision"];
    if (typeof decision !== "string" || decision === "") {
      rejected.push({ at: Date.now(), probe, path, reason: "no decision" });
      return 401;
    }
    try {
      const want = expectation(path);
      const { payload } = await jwtVerify(decision, jwks, {
        algorithms: ["EdDSA"],
        typ: "kc-decision+jwt",
        issuer,
        audience: want.audience,
      });
      const scopes = String(payload.scope ?? "").split(" ");
      if (!scopes.includes(want.scope)) throw new Error(`scope ${String(payload.scope)} lacks ${want.scope}`);
      accepted.push({
        at: Date.now(),
        probe,
        method: req.method ?? "",
        path,
        claims: payload as Accepted["claims"],
        decision,
        headers: { ...req.headers },
        bodyBytes: body.length,
        bodySha256: createHash("sha256").update(body).digest("hex"),
      });
      return 200;
    } catch (e) {
      rejected.push({ at: Date.now(), probe, path, reason: e instanceof Error ? e.message : String(e) });
      return 401;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  return {
    port,
    accepted,
    rejected,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a decision must grant for a path: Fleet Management RPCs, else Prometheus remote_write. */
function expectation(path: string): { audience: string; scope: string } {
  return path.startsWith("/collector.v1.CollectorService/")
    ? { audience: "fleet-management", scope: "fleet-management:read" }
    : { audience: "metrics", scope: "metrics:write" };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
