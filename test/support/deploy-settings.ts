/** The least environment `readSettings` (infra/settings.ts) accepts: the required settings only. */
export const REQUIRED_DEPLOY_ENV = {
  FLOWCOST_ACCOUNT_ID: "123456789012",
  FLOWCOST_FLOW_LOG_BUCKET: "acme-flow-logs",
  FLOWCOST_CUR_BUCKET: "acme-billing",
  FLOWCOST_CUR_EXPORT_NAME: "cur2",
  FLOWCOST_REGIONS: "us-east-1",
};
