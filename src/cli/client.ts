/**
 * The HTTP client of the `keycard` command. `fetch` is injected; every transport fault and every error
 * answer becomes one `CliError` with a line a user can act on. The token is never logged.
 */
import { ApiCallError, CliError, EXIT, TransportError, type FieldDetail } from "./errors.ts";

/** How long one request may take. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** What the client needs. */
export interface ClientConfig {
  baseUrl: URL;
  token: string | undefined;
  fetch: typeof fetch;
  now: () => number;
  timeoutMs?: number;
  /** Receives one line per request and answer (`--debug`). */
  log?: (line: string) => void;
  /** Receives warnings (a credential sent over plain http). */
  warn?: (line: string) => void;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** One request. */
export interface RequestOptions {
  query?: Readonly<Record<string, string | number | undefined>>;
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  /** Sends the admin token as `Authorization: Bearer` (default true). */
  auth?: boolean;
}

/** Any answer: status, headers and the parsed JSON body (undefined when the body is not JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Talks to one Keycard. */
export class Client {
  readonly #config: ClientConfig;
  #warned = false;

  constructor(config: ClientConfig) {
    this.#config = config;
  }

  /** The URL of a path under the base URL (which may itself have a path). */
  urlOf(path: string, query: RequestOptions["query"] = {}): URL {
    const base = new URL(this.#config.baseUrl);
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    const url = new URL(path.replace(/^\/+/, ""), base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Sends a request and returns whatever Keycard answers; only transport faults throw. */
  async send(method: string, path: string, o: RequestOptions = {}): Promise<Answer> {
    const url = this.urlOf(path, o.query);
    const headers = new Headers(o.headers);
    headers.set("accept", "application/json");
    if (o.auth ?? true) {
      if (!this.#config.token) {
        throw new CliError("no token: set KEYCARD_TOKEN or pass --token (the operator token, or a token with admin scopes)", EXIT.unauthenticated);
      }
      headers.set("authorization", `Bearer ${this.#config.token}`);
    }
    if (headers.has("authorization") && url.protocol === "http:" && !LOOPBACK.has(url.hostname) && !this.#warned) {
      this.#warned = true;
      this.#config.warn?.(`warning: sending a token over plain http to ${url.host}; use https`);
    }
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers.set("content-type", "application/json");
    }
    const started = this.#config.now();
    this.#config.log?.(`> ${method} ${url.href}`);
    let res: Response;
    try {
      res = await this.#config.fetch(url, {
        method,
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#config.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new TransportError(`cannot reach Keycard at ${url.origin}: ${transportReason(e, url, this.#config.timeoutMs ?? REQUEST_TIMEOUT_MS)}`, EXIT.error, { cause: e });
    }
    const text = await res.text();
    this.#config.log?.(`< ${res.status} ${res.headers.get("content-type") ?? "-"} (${this.#config.now() - started} ms)`);
    return { status: res.status, headers: res.headers, body: parseJson(text) };
  }

  /** Sends a request and returns the JSON body of a 2xx answer; an error answer throws `ApiCallError`. */
  async call<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const answer = await this.send(method, path, o);
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.status === 204) return undefined as T;
      if (answer.body === undefined) throw notKeycard(answer, this.urlOf(path));
      return answer.body as T;
    }
    throw errorOf(answer, this.urlOf(path));
  }
}

/** The `ApiCallError` of a Keycard error answer, or a `TransportError` when the answer is not Keycard's. */
export function errorOf(answer: Answer, url: URL): CliError {
  const b = answer.body as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  if (b && typeof b.code === "string" && typeof b.message === "string") {
    const details = Array.isArray(b.details)
      ? b.details.filter((d): d is FieldDetail => typeof d?.path === "string" && typeof d?.message === "string")
      : [];
    return new ApiCallError(answer.status, b.code, b.message, details);
  }
  return notKeycard(answer, url);
}

function notKeycard(answer: Answer, url: URL): TransportError {
  const redirect = answer.headers.get("location");
  const why = redirect ? `a redirect to ${redirect}` : `an answer that is not Keycard's (${answer.headers.get("content-type") ?? "no content type"})`;
  return new TransportError(`${answer.status} from ${url.origin}${url.pathname}: ${why}; check --url or KEYCARD_URL`);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "unknown host (DNS lookup failed)",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed",
};

/** Why a fetch failed, in a few words (Node's fetch hides the reason in `cause`). */
export function transportReason(e: unknown, url: URL, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const code = err.cause?.code ?? err.cause?.errors?.[0]?.code;
  const reason = (code && REASONS[code]) ?? err.cause?.message ?? err.message ?? "unknown error";
  return code === "ECONNREFUSED" && LOOPBACK.has(url.hostname) ? `${reason} (is it running? npm start)` : reason;
}
