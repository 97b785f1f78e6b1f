/** `keycard tokens …`: tokens under a policy. The secret is printed once, by `create`, to stdout only. */
import { stringValue } from "../args.ts";
import type { Command, Options } from "../command.ts";
import type { Token } from "../../core/model.ts";
import { UsageError } from "../errors.ts";
import { expiry, time } from "../output.ts";
import { deleteCommand, getCommand, itemPath, listCommand, ORG_OPTION, orgQuery, requireChanges, showItem, type Resource } from "./resource.ts";

const tokens: Resource<Token> = {
  noun: "tokens",
  kind: "token",
  plural: "tokens",
  path: "/api/v1/tokens",
  orgScoped: true,
  columns: ["ID", "NAME", "POLICY", "EXPIRES", "LAST USED"],
  row: (t, now) => [t.id, t.name, t.accessPolicyId, expiry(t.expiresAt, now), time(t.lastUsedAt)],
  show: (t, now) => [
    ["id", t.id],
    ["name", t.name],
    ["display name", t.displayName],
    ["policy", t.accessPolicyId],
    ["org", t.orgId],
    ["expires", expiry(t.expiresAt, now)],
    ["first used", time(t.firstUsedAt)],
    ["last used", time(t.lastUsedAt)],
    ["created", time(t.createdAt)],
    ["updated", time(t.updatedAt)],
  ],
  listOptions: { policy: { type: "string", value: "id", description: "only the tokens of this access policy" } },
  listQuery: (ctx) => ({ accessPolicyId: stringValue(ctx.values, "policy") }),
};

const UNITS: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86400, w: 604800 };

/** `--expires`: `never`, a duration from now (`90m`, `12h`, `30d`, `2w`), or a date or ISO time. */
export function parseExpiry(text: string, now: number): string | null {
  const t = text.trim();
  if (t === "never") return null;
  const d = /^(\d{1,6})([mhdw])$/.exec(t);
  if (d) return new Date(now + Number(d[1]) * UNITS[d[2]!]! * 1000).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t) ? Date.parse(t) : NaN;
  if (Number.isNaN(at)) throw new UsageError(`--expires "${text}" is not never, a duration (90m, 12h, 30d, 2w) or a date (2027-01-31, 2027-01-31T12:00:00Z)`);
  return new Date(at).toISOString();
}

const EXPIRES: Options = {
  expires: { type: "string", value: "when", description: "never (default), a duration from now (90m, 12h, 30d, 2w), or a date or ISO time" },
};

const create: Command = {
  path: ["tokens", "create"],
  summary: "Create a token; prints its secret once",
  options: {
    ...ORG_OPTION,
    policy: { type: "string", value: "id", description: "the access policy the token belongs to", required: true },
    name: { type: "string", value: "name", description: "unique in the policy, lowercase letters, digits and dashes", required: true },
    "display-name": { type: "string", value: "text", description: "a human name (defaults to the name)" },
    ...EXPIRES,
  },
  help: `The secret goes to stdout, alone, so it can be captured; everything else goes to stderr. It is
shown this once: Keycard keeps only its SHA-256. With --json, stdout holds the token object with the
secret in "token".

Example:
  T=$(keycard tokens create --org $ORG --policy $POLICY --name alloy-eu-1 --expires 90d)`,
  fields: { accessPolicyId: "--policy", name: "--name", displayName: "--display-name", expiresAt: "--expires" },
  run: async (ctx) => {
    const body: Record<string, unknown> = {
      accessPolicyId: stringValue(ctx.values, "policy"),
      name: stringValue(ctx.values, "name"),
    };
    const displayName = stringValue(ctx.values, "display-name");
    if (displayName !== undefined) body.displayName = displayName;
    const expires = stringValue(ctx.values, "expires");
    if (expires !== undefined) body.expiresAt = parseExpiry(expires, ctx.io.now());
    const created = await ctx.client.call<Token & { token: string }>("POST", tokens.path, { body, query: orgQuery(ctx) });
    ctx.note(`created token ${created.name} (${created.id}), policy ${created.accessPolicyId}, expires ${expiry(created.expiresAt, ctx.io.now())}`);
    ctx.note("warning: this is the only time the secret is shown; store it now");
    if (ctx.json) ctx.printJson(created);
    else ctx.print(created.token);
    return 0;
  },
};

const update: Command = {
  path: ["tokens", "update"],
  summary: "Change a token's display name or expiry",
  args: [{ name: "id", description: "the token's id" }],
  options: { ...ORG_OPTION, "display-name": { type: "string", value: "text", description: "a human name" }, ...EXPIRES },
  help: "Only the flags given change. --expires never removes the expiry. The secret never changes: create a new token to rotate it.",
  fields: { displayName: "--display-name", expiresAt: "--expires" },
  run: async (ctx) => {
    const body: Record<string, unknown> = {};
    const displayName = stringValue(ctx.values, "display-name");
    if (displayName !== undefined) body.displayName = displayName;
    const expires = stringValue(ctx.values, "expires");
    if (expires !== undefined) body.expiresAt = parseExpiry(expires, ctx.io.now());
    requireChanges(body, update.path, "--display-name or --expires");
    showItem(ctx, tokens, await ctx.client.call<Token>("POST", itemPath(tokens, ctx.args[0]!), { body, query: orgQuery(ctx) }));
    return 0;
  },
};

/** The token commands. */
export const tokenCommands: Command[] = [listCommand(tokens), getCommand(tokens), create, update, deleteCommand(tokens)];
