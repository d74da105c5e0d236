import { errorResponse } from "@flowcost/core";
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

/**
 * The API function's stack: every log line of the invocation carries the request id (API
 * Gateway's) and the route; one line per request with its status; anything thrown outside the
 * route module becomes the generic 500 of core's error mapper, logged, never sent.
 */
export function withApi(
  fn: (event: APIGatewayProxyEventV2, requestId: string) => Promise<APIGatewayProxyStructuredResultV2>,
) {
  const keys = ["requestId", "route"];
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use({
      before: (request) => {
        logger.appendKeys({
          requestId: request.event.requestContext?.requestId ?? request.context.awsRequestId,
          route: request.event.rawPath,
        });
      },
      after: (request) => {
        logger.info("request", { status: request.response?.statusCode });
        logger.removeKeys(keys);
      },
      onError: (request) => {
        logger.error("request failed", { error: request.error });
        const { error: _, ...response } = errorResponse(request.error);
        request.response = {
          statusCode: response.status,
          headers: { ...response.headers, "x-request-id": request.event.requestContext?.requestId ?? "" },
          body: response.body,
        };
        logger.removeKeys(keys);
      },
    })
    .handler((event, context) => fn(event, event.requestContext?.requestId ?? context.awsRequestId));
}
