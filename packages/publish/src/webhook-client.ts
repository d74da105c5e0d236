import { IncomingWebhook, IncomingWebhookHTTPError, type IncomingWebhookSendArguments } from "@slack/webhook";

/**
 * Posts Block Kit messages to a Slack incoming webhook, for the CLI and the Lambdas alike.
 *
 * `@slack/webhook` sends the request; this wrapper adds what it lacks: it retries 429 (which the
 * library fails at once) and 5xx after the `Retry-After` Slack sends (read through the library's
 * `fetch` hook, since its errors drop the headers), with capped exponential backoff otherwise. The
 * URL is the secret (whoever has it can post to the channel), so no error or log line carries it,
 * nor the library's error, whose cause may.
 */

export interface SlackPayload {
  readonly text: string;
  readonly blocks?: ReadonlyArray<unknown>;
}

export interface SlackClientOptions {
  /** Attempts in all, the first included (default 4). */
  readonly maxAttempts?: number;
  /** Backoff before the 2nd attempt when Slack names no Retry-After; doubles after (default 1000). */
  readonly baseDelayMs?: number;
  /** A Retry-After longer than this is cut to it (default 30 s: a Lambda has minutes, not hours). */
  readonly maxDelayMs?: number;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Where retries are reported; never receives the URL. */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A post that failed for good: the status and attempts, never the URL. */
export class SlackPostError extends Error {
  readonly status: number | null;
  readonly attempts: number;
  constructor(message: string, status: number | null, attempts: number) {
    super(message);
    this.name = "SlackPostError";
    this.status = status;
    this.attempts = attempts;
  }
}

/** `https://hooks.slack.com/services/***`: enough to tell which host, nothing to post with. */
export function redactWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/***`;
  } catch {
    return "(not a URL)";
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds, or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class SlackWebhookClient {
  readonly #url: string;
  readonly #options: Required<Omit<SlackClientOptions, "log">> & Pick<SlackClientOptions, "log">;

  constructor(url: string, options: SlackClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SlackPostError("the Slack webhook URL is not a URL (value not shown)", null, 0);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
      throw new SlackPostError("the Slack webhook URL must be http(s) (value not shown)", null, 0);
    this.#url = url;
    this.#options = {
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      log: options.log,
    };
  }

  /** Where posts go, redacted, for messages such as "posted to https://hooks.slack.com/***". */
  get target(): string {
    return redactWebhookUrl(this.#url);
  }

  /** Posts one message; resolves with the attempts it took, or throws SlackPostError. */
  async post(payload: SlackPayload): Promise<{ attempts: number }> {
    const o = this.#options;
    let retryAfter: string | null = null;
    const webhook = new IncomingWebhook(this.#url, {
      timeout: o.timeoutMs,
      retryConfig: { retries: 0 },
      fetch: async (input, init) => {
        const response = await fetch(input, init as RequestInit);
        retryAfter = response.headers.get("retry-after");
        return response;
      },
    });
    let lastStatus: number | null = null;
    for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
      retryAfter = null;
      let retryable: boolean;
      try {
        await webhook.send(payload as IncomingWebhookSendArguments);
        return { attempts: attempt };
      } catch (error) {
        lastStatus = error instanceof IncomingWebhookHTTPError ? error.statusCode : null;
        // 429 and 5xx are Slack saying "later"; no response at all (network, timeout) likewise.
        retryable = lastStatus === null || lastStatus === 429 || lastStatus >= 500;
        if (!retryable || attempt === o.maxAttempts) {
          const what = lastStatus === null ? "no response" : `HTTP ${lastStatus}`;
          throw new SlackPostError(
            `Slack webhook post failed: ${what} after ${attempt} attempt${attempt === 1 ? "" : "s"}`,
            lastStatus,
            attempt,
          );
        }
      }
      const named = retryAfterMs(retryAfter);
      const delay = Math.min(o.maxDelayMs, named ?? o.baseDelayMs * 2 ** (attempt - 1));
      o.log?.("slack post retried", { status: lastStatus, attempt, delayMs: delay, target: this.target });
      await o.sleep(delay);
    }
    throw new SlackPostError("Slack webhook post failed", lastStatus, o.maxAttempts);
  }
}
