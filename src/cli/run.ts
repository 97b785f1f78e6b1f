/**
 * The `keycard` command as a function: argv and the outside world in, an exit code out. Every failure
 * ends here as one line on stderr; a stack trace only with --debug.
 */
import { booleanValue, parseCommandLine, stringValue } from "./args.ts";
import { Client } from "./client.ts";
import type { Command, Context, Io } from "./command.ts";
import { COMMANDS, DEFAULT_URL, GLOBAL_OPTIONS, NOUNS } from "./commands/index.ts";
import { ApiCallError, CliError, describeApiError, EXIT, UsageError } from "./errors.ts";
import { renderHelp } from "./help.ts";

/** Runs one command line; resolves to the exit code. */
export async function run(io: Io): Promise<number> {
  const debug = io.argv.includes("--debug");
  let command: Command | undefined;
  try {
    const invocation = parseCommandLine(io.argv, COMMANDS, GLOBAL_OPTIONS);
    if (invocation.kind === "help") {
      io.stdout(`${renderHelp(invocation.path, COMMANDS, GLOBAL_OPTIONS, NOUNS)}\n`);
      return EXIT.ok;
    }
    if (invocation.kind === "version") {
      io.stdout(`keycard ${io.version}\n`);
      return EXIT.ok;
    }
    command = invocation.command;
    const { values, args } = invocation;
    const url = baseUrl(stringValue(values, "url") ?? (io.env.KEYCARD_URL || DEFAULT_URL), stringValue(values, "url") !== undefined);
    const token = stringValue(values, "token") ?? (io.env.KEYCARD_TOKEN || undefined);
    const ctx: Context = {
      values,
      args,
      io,
      url,
      token,
      json: booleanValue(values, "json"),
      client: new Client({
        baseUrl: url,
        token,
        fetch: io.fetch,
        now: io.now,
        warn: (l) => io.stderr(`${l}\n`),
        ...(debug ? { log: (l) => io.stderr(`${l}\n`) } : {}),
      }),
      print: (text) => io.stdout(`${text}\n`),
      note: (text) => io.stderr(`${text}\n`),
      printJson: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    };
    return await command.run(ctx);
  } catch (e) {
    io.stderr(`${report(e, command)}\n`);
    if (debug && e instanceof Error && e.stack) io.stderr(`${stackOf(e)}\n`);
    return e instanceof CliError ? e.exitCode : EXIT.error;
  }
}

/** Validates the base URL: http or https, no query or credentials. */
export function baseUrl(text: string, fromFlag: boolean): URL {
  const where = fromFlag ? "--url" : "KEYCARD_URL";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${where} "${text}" is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${where} "${text}" is not an http(s) URL`);
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError(`${where} must be a plain base URL, without credentials, query or fragment`);
  }
  return url;
}

/** The one line for an error. */
function report(e: unknown, command: Command | undefined): string {
  if (e instanceof ApiCallError) return `keycard: ${describeApiError(e, { orgId: "--org", ...command?.fields })}`;
  if (e instanceof UsageError) {
    const topic = e.helpFor.length > 0 ? e.helpFor : (command?.path ?? []);
    return `keycard: ${e.message}; see 'keycard help${topic.length > 0 ? ` ${topic.join(" ")}` : ""}'`;
  }
  if (e instanceof CliError) return `keycard: ${e.message}`;
  const message = e instanceof Error ? e.message : String(e);
  return `keycard: unexpected error: ${message} (run again with --debug for details)`;
}

/** The stack, and the stacks of its causes. */
function stackOf(e: Error): string {
  const parts = [e.stack ?? String(e)];
  let cause = e.cause;
  while (cause instanceof Error) {
    parts.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  if (cause !== undefined) parts.push(`caused by: ${String(cause)}`);
  return parts.join("\n");
}
