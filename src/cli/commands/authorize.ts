/** `keycard authorize`: asks /authorize the question a gateway would, and explains the answer. */
import { booleanValue, listValue, stringValue } from "../args.ts";
import type { Command } from "../command.ts";
import type { DecisionClaims } from "../../core/decision.ts";
import { EXIT, UsageError } from "../errors.ts";
import { errorOf } from "../client.ts";
import { claimRows, duration, keyValues } from "../output.ts";

/** What to do about each deny reason. */
const HINTS: Readonly<Record<string, string>> = {
  missing_credential: "pass --token or set KEYCARD_TOKEN",
  invalid_token: "the token is unknown, deleted or mistyped (Keycard answers all three alike)",
  token_expired: "create a new token: keycard tokens create --policy <id> --name <name>",
  policy_inactive: "activate the policy: keycard policies update <id> --status active",
  ip_unknown: "the policy allows only some subnets: pass --ip <address> (a local Keycard only; see keycard help authorize)",
  ip_not_allowed: "compare --ip with the policy's subnets: keycard policies get <id>",
  stack_conflict: "--stack and the basic-auth username must name the same stack",
  stack_required: "the policy covers single stacks: pass --stack <id>",
  realm_denied: "the stack is not one of the policy's realms, or not in its org: keycard policies get <id>",
  scope_required: "pass --scope <scope>, or --method and --uri to derive it from the route map",
  scope_denied: "the policy does not grant every requested scope: keycard policies get <id>",
  route_invalid: "check --method and --uri (a path without //, . or .. segments)",
  route_unmapped: "no route rule covers --method and --uri: pass --scope, or add a rule to KEYCARD_ROUTES (docs/ROUTES.md)",
  gateway_token_invalid: "the --gateway-token is unknown, deleted, expired or mistyped",
  gateway_not_allowed: "the --gateway-token's policy needs authorizer:delegate, active status, and your address in its subnets",
};

/** The `authorize` command. */
export const authorizeCommand: Command = {
  path: ["authorize"],
  summary: "Test a token against a scope, stack and client IP, and explain the decision",
  options: {
    scope: { type: "string", multiple: true, value: "scope", description: "a requested scope, sent as X-Keycard-Scope; commas separate several" },
    stack: { type: "string", value: "id", description: "the target stack; sent as X-Keycard-Stack (or as the basic-auth username with --basic)" },
    ip: {
      type: "string",
      value: "address",
      description: "the client IP: sent as CF-Connecting-IP (honoured by a local Keycard only), or with --gateway-token as X-Keycard-Client-IP",
    },
    "gateway-token": {
      type: "string",
      value: "token",
      description: "report --ip as a delegating gateway does, with this token (it needs authorizer:delegate); works against any Keycard",
    },
    basic: { type: "boolean", description: "send Basic base64(<stack>:<token>), as Alloy and Prometheus do" },
    method: { type: "string", value: "method", description: "the original method, for the route map (X-Original-Method)" },
    uri: { type: "string", value: "uri", description: "the original URI, for the route map (X-Original-URI)" },
  },
  help: `The token tested is --token, else KEYCARD_TOKEN. Exit status: 0 allowed, 1 denied (403),
4 refused credential (401). --json prints {allowed: true, decision, claims}, or {allowed: false, status, code, message}.

About --ip: on Cloudflare the edge sets CF-Connecting-IP from the real connection, so a bare --ip only
takes effect against a local Keycard (npm start, wrangler dev; without --ip it sees 127.0.0.1).
Against a deployed Keycard the IP checked is your own, unless you report --ip as a gateway does:
with --gateway-token, a token whose policy holds authorizer:delegate (docs/ROUTES.md).

Examples:
  keycard authorize --token $T --scope metrics:write --stack $STACK --ip 10.1.2.3
  keycard authorize --token $T --basic --stack $STACK --method POST --uri /api/prom/push`,
  run: async (ctx) => {
    const token = ctx.token;
    if (!token) throw new UsageError("no token to test: pass --token or set KEYCARD_TOKEN", ["authorize"]);
    const stack = stringValue(ctx.values, "stack");
    const basic = booleanValue(ctx.values, "basic");
    if (basic && !stack) throw new UsageError("--basic needs --stack (the basic-auth username)", ["authorize"]);
    const headers: Record<string, string> = {
      authorization: basic ? `Basic ${btoa(`${stack}:${token}`)}` : `Bearer ${token}`,
    };
    const scopes = listValue(ctx.values, "scope", true);
    if (scopes && scopes.length > 0) headers["x-keycard-scope"] = scopes.join(" ");
    if (stack && !basic) headers["x-keycard-stack"] = stack;
    const gateway = stringValue(ctx.values, "gateway-token");
    if (gateway !== undefined) headers["x-keycard-gateway-token"] = `Bearer ${gateway}`;
    const ipHeader = gateway === undefined ? "cf-connecting-ip" : "x-keycard-client-ip";
    const optional: [string, string][] = [["ip", ipHeader], ["method", "x-original-method"], ["uri", "x-original-uri"]];
    for (const [flag, header] of optional) {
      const v = stringValue(ctx.values, flag);
      if (v !== undefined) headers[header] = v;
    }

    const answer = await ctx.client.send("GET", "/authorize", { headers, auth: false });
    const body = answer.body as { allowed?: boolean; decision?: string; claims?: DecisionClaims; code?: string; message?: string } | undefined;
    if (answer.status === 200 && body?.allowed === true && body.claims) {
      if (ctx.json) ctx.printJson(body);
      else ctx.print(explainAllow(body.claims, body.decision ?? "", ctx.io.now()));
      return EXIT.ok;
    }
    if ((answer.status === 401 || answer.status === 403) && typeof body?.code === "string") {
      if (ctx.json) ctx.printJson({ allowed: false, status: answer.status, code: body.code, message: body.message });
      else ctx.print(`denied (${answer.status} ${body.code}): ${body.message ?? ""}\nhint: ${HINTS[body.code] ?? "see keycard help authorize"}`);
      return answer.status === 401 ? EXIT.unauthenticated : EXIT.error;
    }
    throw errorOf(answer, ctx.client.urlOf("/authorize"));
  },
};

/** The human view of an allow. */
export function explainAllow(c: DecisionClaims, decision: string, now: number): string {
  const target = c.stack ? `stack ${c.stack}` : `org ${c.org}`;
  const pairs: [string, string][] = [
    ...claimRows(c),
    ["expires", `in ${duration(c.exp - now / 1000)} (decision lifetime ${duration(c.exp - c.iat)})`],
    ["decision", decision],
  ];
  return `allowed (200) on ${target}\n${keyValues(pairs)}`;
}
