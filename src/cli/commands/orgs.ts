/** `keycard orgs …`: the tenant boundary. Creating orgs needs the operator token. */
import { stringValue } from "../args.ts";
import type { Command } from "../command.ts";
import type { Org } from "../../core/model.ts";
import { time } from "../output.ts";
import { deleteCommand, getCommand, itemPath, listCommand, requireChanges, showItem, type Resource } from "./resource.ts";

const orgs: Resource<Org> = {
  noun: "orgs",
  kind: "org",
  plural: "orgs",
  path: "/api/v1/orgs",
  orgScoped: false,
  columns: ["ID", "NAME", "CREATED"],
  row: (o) => [o.id, o.name, time(o.createdAt)],
  show: (o) => [
    ["id", o.id],
    ["name", o.name],
    ["created", time(o.createdAt)],
    ["updated", time(o.updatedAt)],
  ],
};

const create: Command = {
  path: ["orgs", "create"],
  summary: "Create an org (operator token only)",
  options: { name: { type: "string", value: "name", description: "the org's name, unique", required: true } },
  help: "Example:\n  keycard orgs create --name acme",
  fields: { name: "--name" },
  run: async (ctx) => {
    const org = await ctx.client.call<Org>("POST", orgs.path, { body: { name: stringValue(ctx.values, "name") } });
    showItem(ctx, orgs, org);
    return 0;
  },
};

const update: Command = {
  path: ["orgs", "update"],
  summary: "Rename an org",
  args: [{ name: "id", description: "the org's id" }],
  options: { name: { type: "string", value: "name", description: "the new name" } },
  fields: { name: "--name" },
  run: async (ctx) => {
    const body: Record<string, unknown> = {};
    const name = stringValue(ctx.values, "name");
    if (name !== undefined) body.name = name;
    requireChanges(body, update.path, "--name");
    showItem(ctx, orgs, await ctx.client.call<Org>("POST", itemPath(orgs, ctx.args[0]!), { body }));
    return 0;
  },
};

/** The org commands. */
export const orgCommands: Command[] = [listCommand(orgs), getCommand(orgs), create, update, deleteCommand(orgs)];
