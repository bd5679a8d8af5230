export * from "./organizations";
export * from "./auth";
export * from "./audit";
export * from "./catalog";
export * from "./jobs";
export * from "./incidents";
export * from "./maintenance";
export * from "./metrics";
