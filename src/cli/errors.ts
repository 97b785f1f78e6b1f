/**
 * The errors of the `keycard` command. Each is reported as one line on stderr and ends the process
 * with its exit code; only `--debug` shows a stack trace.
 */

/** Exit codes: 0 success, 1 error, 2 usage, 4 unauthenticated (a 401 from Keycard). */
export const EXIT = { ok: 0, error: 1, usage: 2, unauthenticated: 4 } as const;

/** One of the exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can act on, reported in one line. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT.error, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad command line (exit 2). `helpFor` names the command whose help explains it. */
export class UsageError extends CliError {
  readonly helpFor: readonly string[];

  constructor(message: string, helpFor: readonly string[] = []) {
    super(message, EXIT.usage);
    this.helpFor = helpFor;
  }
}

/** One bad field, as Keycard names it in `details`. */
export interface FieldDetail {
  path: string;
  message: string;
}

/** An error answer from Keycard: `{code, message, details?}` (exit 4 for a 401, else 1). */
export class ApiCallError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly serverMessage: string;
  readonly details: readonly FieldDetail[];

  constructor(status: number, code: string, serverMessage: string, details: readonly FieldDetail[] = []) {
    super(`${status} ${code}: ${serverMessage}`, status === 401 ? EXIT.unauthenticated : EXIT.error);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.details = details;
  }
}

/** Keycard could not be reached, or answered with something that is not Keycard's. */
export class TransportError extends CliError {}

/**
 * The one line for an API error: status, code, message, then every field detail the message does not
 * already say. `flags` maps field paths (`scopes`, `realms.*.identifier`) to the flags that set them.
 */
export function describeApiError(e: ApiCallError, flags: Readonly<Record<string, string>> = {}): string {
  const details = e.details
    .filter((d) => `${d.path}: ${d.message}` !== e.serverMessage)
    .map((d) => `${labelPath(d.path, flags)}: ${d.message}`);
  const message = e.details.length > 0 && `${e.details[0]!.path}: ${e.details[0]!.message}` === e.serverMessage
    ? `${labelPath(e.details[0]!.path, flags)}: ${e.details[0]!.message}`
    : e.serverMessage;
  const hint = e.status === 401 ? " (check KEYCARD_TOKEN or --token)" : "";
  return [`${e.status} ${e.code}: ${message}${hint}`, ...details].join("; ");
}

/** `scopes.1` → `scopes.1 (--scope)`, using the most specific matching pattern. */
function labelPath(path: string, flags: Readonly<Record<string, string>>): string {
  if (path === "") return "body";
  const generic = path.split(".").map((s) => (/^\d+$/.test(s) ? "*" : s));
  for (let n = generic.length; n > 0; n--) {
    const flag = flags[generic.slice(0, n).join(".")];
    if (flag) return `${path} (${flag})`;
  }
  return path;
}
