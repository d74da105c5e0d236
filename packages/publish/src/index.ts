export * from "./webhook-client.ts";
