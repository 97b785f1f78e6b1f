/** Every `keycard` command, in the order help lists them, and the flags every command takes. */
import type { Command, Options } from "../command.ts";
import { authorizeCommand } from "./authorize.ts";
import { verifyCommand } from "./decisions.ts";
import { keyCommands } from "./keys.ts";
import { orgCommands } from "./orgs.ts";
import { policyCommands } from "./policies.ts";
import { generateSecretCommand } from "./secrets.ts";
import { stackCommands } from "./stacks.ts";
import { tokenCommands } from "./tokens.ts";

/** All commands. */
export const COMMANDS: readonly Command[] = [
  ...orgCommands,
  ...stackCommands,
  ...policyCommands,
  ...tokenCommands,
  authorizeCommand,
  verifyCommand,
  ...keyCommands,
  generateSecretCommand,
];

/** What each first word is about. */
export const NOUNS: Readonly<Record<string, string>> = {
  orgs: "Orgs: the tenant boundary",
  stacks: "Stacks: sets of services in an org",
  policies: "Access policies: scopes, realms, label selectors, allowed subnets",
  tokens: "Tokens under a policy (the secret is shown once)",
  authorize: "Test a token against a scope, stack and client IP",
  decisions: "Verify signed decisions as an origin does",
  keys: "Decision signing keys: list, rotate",
  secrets: "Fresh values for the Worker's secrets (wrangler secret put)",
};

/** The default Keycard URL (`npm start`). */
export const DEFAULT_URL = "http://127.0.0.1:8787";

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Options = {
  url: { type: "string", value: "url", description: `Keycard's base URL (env KEYCARD_URL; default ${DEFAULT_URL})` },
  token: { type: "string", value: "token", description: "the Keycard token to call with (env KEYCARD_TOKEN)" },
  json: { type: "boolean", description: "print JSON for scripts" },
  debug: { type: "boolean", description: "log each request to stderr and show stack traces" },
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", description: "print the version" },
};
