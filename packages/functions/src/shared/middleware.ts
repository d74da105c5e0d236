import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { z } from "zod";
import { logger } from "./logger.ts";

/**
 * The two middleware stacks every entry point uses (style.md §3.3): parse first, handler last,
 * so the handler receives typed input and never sees the raw event.
 */

/** The event every scheduled job receives (infra/jobs.ts): the schedule's own time, never "now". */
export const ScheduledEvent = z.object({
  job: z.string().optional(),
  time: z.iso.datetime({ offset: true }),
});

/** An invalid event: the message names each bad field. Jobs throw it so the DLQ keeps the event. */
export class EventValidationError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = "EventValidationError";
  }
}

function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new EventValidationError(`invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

export interface JobLogContext {
  readonly window?: string;
  readonly partition?: string;
  readonly source?: string;
}

/**
 * A scheduled job: parses the event with `schema`, adds `window`/`partition` from `describe` to
 * every log line of the invocation, and lets errors propagate so the scheduler retries and the
 * DLQ receives what still fails.
 */
export function withJob<S extends z.ZodType>(
  schema: S,
  describe: (event: z.output<S>) => JobLogContext = () => ({}),
) {
  return {
    handler<R>(fn: (event: z.output<S>, context: Context) => Promise<R>) {
      let added: string[] = [];
      return middy<unknown, R>()
        .use({
          before: (request) => {
            const event = parseOrThrow(schema, request.event, "scheduled event");
            request.event = event;
            const keys = Object.fromEntries(
              Object.entries(describe(event)).filter(
                (entry): entry is [string, string] => entry[1] !== undefined,
              ),
            );
            added = Object.keys(keys);
            logger.appendKeys(keys);
          },
          after: () => logger.removeKeys(added),
          onError: (request) => {
            logger.error("job failed", { error: request.error });
            logger.removeKeys(added);
          },
        })
        .handler((event, context) => fn(event as z.output<S>, context));
    },
  };
}

/** What an HTTP handler's schema sees: path and query parameters and the JSON body. */
export interface HttpInput {
  readonly path: Record<string, string | undefined>;
  readonly query: Record<string, string | undefined>;
  readonly body: unknown;
}

function statusOf(error: unknown): number {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === "number" && status >= 400 && status <= 599) return status;
  }
  return 500;
}

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * The one HTTP error mapper (style.md §3.5): an error with a status below 500 is the caller's
 * mistake and its message is returned; anything else is logged and answered with a generic 500,
 * never the error itself.
 */
export function httpErrorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const status = statusOf(error);
  if (status < 500) {
    const message = error instanceof Error ? error.message : "bad request";
    return { statusCode: status, headers: JSON_HEADERS, body: JSON.stringify({ error: message }) };
  }
  logger.error("request failed", { error });
  return { statusCode: 500, headers: JSON_HEADERS, body: JSON.stringify({ error: "internal error" }) };
}

/** An HTTP route: parses the request with `schema`, returns the handler's value as JSON (200). */
export function withHttp<S extends z.ZodType>(schema: S) {
  return {
    handler<R>(fn: (input: z.output<S>, event: APIGatewayProxyEventV2) => Promise<R>) {
      return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
        .use({
          onError: (request) => {
            request.response = httpErrorResponse(request.error);
          },
        })
        .handler(async (event) => {
          let body: unknown;
          try {
            body = event.body
              ? JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, "base64").toString() : event.body)
              : undefined;
          } catch {
            throw new EventValidationError("invalid request: body is not JSON");
          }
          const raw: HttpInput = {
            path: event.pathParameters ?? {},
            query: event.queryStringParameters ?? {},
            body,
          };
          const input = parseOrThrow(schema, raw, "request");
          const result = await fn(input, event);
          return { statusCode: 200, headers: JSON_HEADERS, body: JSON.stringify(result) };
        });
    },
  };
}
