import { ApiException } from "@kubernetes/client-node";

/**
 * Retries one Kubernetes API request the way kubectl's clients do: a 429 (the API server's
 * priority and fairness shedding load), a 5xx (an API server restarting, an overloaded etcd) or
 * no answer in time is transient, so the request is repeated after a capped, jittered,
 * doubling backoff, honouring a 429's Retry-After. Anything else (401, 403, 404, 410) is
 * returned to the caller at once; when the attempts run out the last error is thrown, so the job
 * fails visibly (and its scheduler's retries and DLQ see it) rather than writing half a snapshot.
 */
export interface KubernetesRetryOptions {
  /** Attempts per request, the first included (default 5). */
  readonly maxAttempts?: number;
  /** The first backoff; each later one doubles, up to 10 s (default 500 ms). */
  readonly retryBaseMs?: number;
  /** How long one request may take before it is abandoned and retried (default 30 s). */
  readonly requestTimeoutMs?: number;
}

/** A request that got no answer within `requestTimeoutMs`. */
export class KubernetesTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = "KubernetesTimeoutError";
  }
}

const MAX_BACKOFF_MS = 10_000;

/** Whether an error is worth another attempt. */
export function isTransient(error: unknown): boolean {
  if (error instanceof KubernetesTimeoutError) return true;
  if (error instanceof ApiException) return error.code === 429 || error.code >= 500;
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    typeof code === "string" &&
    ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "UND_ERR_SOCKET"].includes(code)
  );
}

/** Seconds of a Retry-After header, when the error carries one. */
function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const headers = error.headers as Record<string, string | string[] | undefined> | undefined;
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_BACKOFF_MS * 3) : undefined;
}

export async function withKubernetesRetry<T>(
  what: string,
  request: () => Promise<T>,
  options: KubernetesRetryOptions,
  stats?: { resource: string; counts: Record<string, number> },
): Promise<T> {
  const attempts = options.maxAttempts ?? 5;
  const base = options.retryBaseMs ?? 500;
  const timeout = options.requestTimeoutMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        request(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new KubernetesTimeoutError(what, timeout)), timeout);
        }),
      ]);
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts) throw error;
      if (stats) stats.counts[stats.resource] = (stats.counts[stats.resource] ?? 0) + 1;
      const backoff = Math.min(base * 2 ** (attempt - 1), MAX_BACKOFF_MS) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, Math.max(backoff, retryAfterMs(error) ?? 0)));
    } finally {
      clearTimeout(timer);
    }
  }
}
