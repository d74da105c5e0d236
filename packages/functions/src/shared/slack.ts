import { SlackWebhookClient } from "@flowcost/publish";
import { publishConfig } from "./config.ts";
import { logger } from "./logger.ts";

let client: SlackWebhookClient | null | undefined;

/**
 * The Slack client for this cold start, from the `SlackWebhookUrl` secret; undefined when none is
 * set (the jobs then write their results and post nothing). Retries are logged without the URL.
 */
export function slackClient(): SlackWebhookClient | undefined {
  if (client === undefined) {
    const url = publishConfig().slackWebhookUrl;
    client =
      url === undefined
        ? null
        : new SlackWebhookClient(url, { log: (message, fields) => logger.warn(message, { ...fields }) });
  }
  return client ?? undefined;
}
