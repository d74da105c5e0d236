import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The one logger every Lambda shares (style.md §3.6). Jobs append `source`, `window` and
 * `partition`, the API `route` and `queryName`; nothing logs row data, because cost data is
 * sensitive.
 */
export const logger = new Logger({ serviceName: "flowcost" });
