/**
 * `KeycardAuthorizer`: the RPC entrypoint for gateways that are themselves Workers (DESIGN §3,
 * "Service binding"). `authorize(input)` runs the same code path as `/authorize` and returns the
 * same status, headers and body, as plain data.
 *
 * A service binding is granted by the account that deploys both Workers, so the calling Worker is
 * trusted like a gateway holding `authorizer:delegate`: `clientIp` is used as the client IP. Pass
 * the address your Worker saw (`request.headers.get("cf-connecting-ip")`), never one a client
 * sent. The decision `iss` is `KEYCARD_ISSUER`, which must be set (there is no request URL).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import { getDeps } from "./deps.ts";
import { answer, type AllowBody, type DenyBody } from "./http/answer.ts";
import { authorize } from "./services/authorize.ts";

const text = z.string().nullable().optional();
const callSchema = z.strictObject({
  authorization: text,
  scope: text,
  stack: text,
  method: text,
  uri: text,
  clientIp: z.string().nullable(),
});

/** A request-like input: the fields `/authorize` reads from headers, by name. */
export interface AuthorizeCall {
  /** `Bearer <token>` or `Basic base64(<stackId>:<token>)`. */
  authorization?: string | null;
  /** Requested scopes; when absent, the route map decides from `method` and `uri`. */
  scope?: string | null;
  /** Target stack, for a bearer credential. */
  stack?: string | null;
  /** The original method, for the route map. */
  method?: string | null;
  /** The original URI (path and query), for the route map. */
  uri?: string | null;
  /** The client's address, as your Worker saw it; null when unknown. */
  clientIp: string | null;
}

/** The answer: what `/authorize` would send, as data. `allowed` tells the two shapes apart. */
export type AuthorizeResult =
  | ({ status: 200; headers: Record<string, string> } & AllowBody)
  | ({ status: 401 | 403; headers: Record<string, string>; allowed: false } & DenyBody);

/** The RPC entrypoint. Bind it with `{ service = "keycard", entrypoint = "KeycardAuthorizer" }`. */
export class KeycardAuthorizer extends WorkerEntrypoint<Env> {
  /** Authorizes one request. Throws a TypeError for a malformed input, and on a misconfiguration. */
  async authorize(input: AuthorizeCall): Promise<AuthorizeResult> {
    const parsed = callSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
      throw new TypeError(`KeycardAuthorizer.authorize: ${issues}`);
    }
    const deps = await getDeps(this.env);
    const issuer = deps.config.issuer;
    const call = parsed.data;
    const outcome = await authorize(
      deps.authorize,
      {
        authorization: call.authorization ?? null,
        scope: call.scope ?? null,
        original: { ok: true, value: { method: call.method ?? null, uri: call.uri ?? null } },
        stack: call.stack ?? null,
        peerIp: call.clientIp,
        gatewayToken: null,
        delegatedIp: null,
        issuer,
      },
    );
    const background = deps.background();
    if (background !== null) this.ctx.waitUntil(background);
    const a = answer(outcome);
    return a.status === 200 ? { status: 200, headers: a.headers, ...a.body } : { status: a.status, headers: a.headers, allowed: false, ...a.body };
  }
}
