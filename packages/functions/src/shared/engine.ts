import { AthenaEngine } from "../adapters/athena-engine.ts";
import { S3Lake } from "../adapters/s3-lake.ts";
import { athena, s3 } from "./clients.ts";
import { config } from "./config.ts";
import { logger } from "./logger.ts";
import { lambdaSqlLoader } from "./sql-files.ts";

let engine: AthenaEngine | undefined;
let lake: S3Lake | undefined;

/**
 * The Athena engine over the linked catalog. The workgroup enforces its output location, so none
 * is passed here; SQL comes from the `queries/` folder copied beside the bundle.
 */
export function athenaEngine(): AthenaEngine {
  const c = config();
  engine ??= new AthenaEngine({
    athena,
    s3,
    workGroup: c.catalog.workGroup,
    database: c.catalog.database,
    lakeBucket: c.catalog.lakeBucket,
    loadSql: lambdaSqlLoader(c.queriesDir),
    timeoutMs: c.queryTimeoutMs,
    // Powertools wants its own attribute type; the engine logs plain objects.
    logger: {
      info: (message, extra) => logger.info(message, { ...extra }),
      warn: (message, extra) => logger.warn(message, { ...extra }),
    },
  });
  return engine;
}

/** The lake bucket through the S3 adapter. */
export function s3Lake(): S3Lake {
  lake ??= new S3Lake({ s3, bucket: config().catalog.lakeBucket });
  return lake;
}
