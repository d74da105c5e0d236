import { apiCors, apiPermissions } from "./api-permissions";
import { lake, lakeBucket, lakeObjects, settings } from "./storage";

/**
 * The HTTP API (API Gateway v2). Every route requires IAM (SigV4) authorisation: flowcost serves
 * cost data, which is sensitive, to internal tools that hold AWS credentials. CORS is off unless
 * FLOWCOST_API_CORS_ORIGINS names origins (SST's default would allow every origin).
 */
export const api = new sst.aws.ApiGatewayV2("Api", {
  cors: apiCors(settings.apiCorsOrigins),
  transform: {
    route: {
      args: (props) => {
        props.auth ??= { iam: true };
      },
    },
  },
});

/**
 * One function answers every `/v1` GET route (packages/functions/src/api/handler.ts runs the same
 * route module as `flowcost serve`). It reads precomputed day documents only: no catalog link, no
 * Athena, and read access to the result documents it serves (infra/api-permissions.ts). The bundle
 * holds no DuckDB (packages/local is never imported by functions).
 */
api.route("GET /v1/{proxy+}", {
  handler: "packages/functions/src/api/handler.handler",
  runtime: "nodejs22.x",
  architecture: "arm64",
  memory: "1024 MB",
  timeout: "29 seconds",
  environment: { FLOWCOST_LAKE_BUCKET: lakeBucket },
  permissions: apiPermissions(lake.arn, lakeObjects),
});
