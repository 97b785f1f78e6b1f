/** `keycard secrets generate`: fresh values for the Worker's secrets, ready for `wrangler secret put`. */
import type { Command } from "../command.ts";
import { generateToken } from "../../core/token.ts";
import { UsageError } from "../errors.ts";
import { rotate, SIGNING_KEYS } from "./keys.ts";

/** The operator token's secret name. */
export const OPERATOR_TOKEN = "KEYCARD_OPERATOR_TOKEN";

const GENERATORS: Readonly<Record<string, (nowSeconds: number) => Promise<string>>> = {
  [OPERATOR_TOKEN]: async () => generateToken((b) => crypto.getRandomValues(b)),
  [SIGNING_KEYS]: async (now) => (await rotate([], now)).value,
};

/** The `secrets generate` command. */
export const generateSecretCommand: Command = {
  path: ["secrets", "generate"],
  summary: "Print a fresh value for a Worker secret, for wrangler secret put",
  args: [{ name: "name", description: `${OPERATOR_TOKEN} or ${SIGNING_KEYS}` }],
  options: {},
  help: `The value goes to stdout alone, so it can be piped; nothing is sent anywhere.
  ${OPERATOR_TOKEN}  a new operator token (kc_…): it can create orgs and act in every org
  ${SIGNING_KEYS}    a first signing key; to replace a key in use, see keycard keys rotate

Examples:
  keycard secrets generate ${OPERATOR_TOKEN} | npx wrangler secret put ${OPERATOR_TOKEN} --env production
  keycard secrets generate ${SIGNING_KEYS} | npx wrangler secret put ${SIGNING_KEYS} --env production`,
  run: async (ctx) => {
    const name = ctx.args[0]!;
    const generate = GENERATORS[name];
    if (!generate) throw new UsageError(`no secret named ${name}: use ${Object.keys(GENERATORS).join(" or ")}`, generateSecretCommand.path);
    const value = await generate(Math.floor(ctx.io.now() / 1000));
    ctx.note(`warning: stdout holds a secret; pipe it into: npx wrangler secret put ${name} [--env <name>]`);
    if (ctx.json) ctx.printJson({ name, value });
    else ctx.print(value);
    return 0;
  },
};
