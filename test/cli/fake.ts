/** Test helpers: run the CLI in-process against a fake Keycard, capturing what it sends and prints. */
import { run } from "../../src/cli/run.ts";
import type { Io } from "../../src/cli/command.ts";

/** A fixed clock: 2026-11-23T18:00:00Z. */
export const NOW = Date.parse("2026-11-23T18:00:00Z");

/** A request the CLI sent. */
export interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** What a run produced. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  sent: Sent[];
}

/** A fake Keycard: answers each request, or throws to simulate a transport fault. */
export type Handler = (req: Sent) => Response | Promise<Response>;

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** The list envelope. */
export function page<T>(items: T[], nextPage: string | null = null, pageSize = 100): unknown {
  return { items, metadata: { pagination: { pageSize, pageCursor: null, nextPage } } };
}

/** Options of a run. */
export interface RunOptions {
  env?: Record<string, string>;
  handler?: Handler;
  files?: Map<string, string>;
  stdin?: string;
  confirm?: (question: string) => Promise<boolean>;
}

/** Runs `keycard <argv>` with a fake world. */
export async function keycard(argv: string[], o: RunOptions = {}): Promise<Outcome> {
  const out: Outcome = { code: -1, stdout: "", stderr: "", sent: [] };
  const files = o.files ?? new Map<string, string>();
  const handler = o.handler ?? (() => json({ code: "not_found", message: "nothing here" }, 404));
  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const text = typeof init?.body === "string" ? init.body : undefined;
    const sent: Sent = { method: init?.method ?? "GET", url, headers: new Headers(init?.headers), body: text === undefined ? undefined : JSON.parse(text) };
    out.sent.push(sent);
    return handler(sent);
  };
  const io: Io = {
    argv,
    env: { KEYCARD_URL: "https://keycard.test", KEYCARD_TOKEN: "kc_operator", ...o.env },
    fetch: fakeFetch as typeof fetch,
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    now: () => NOW,
    readFile: async (p) => files.get(p) ?? null,
    writeFile: async (p, t) => void files.set(p, t),
    readStdin: async () => o.stdin ?? "",
    ...(o.confirm ? { confirm: o.confirm } : {}),
    version: "9.9.9",
  };
  out.code = await run(io);
  return out;
}

/** A fetch failure as Node reports an unreachable server. */
export function refused(): never {
  throw Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8787"), { code: "ECONNREFUSED" }) });
}
