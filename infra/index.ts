// In dependency order: buckets, then the catalog over them, then what uses the catalog.

export * from "./api";
export * from "./catalog";
export * from "./jobs";
export * from "./secrets";
export * from "./storage";
