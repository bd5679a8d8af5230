export * from "./organizations";
export * from "./auth";
export * from "./audit";
export * from "./catalog";
export * from "./jobs";
export * from "./metrics";
export * from "./alerts";
export * from "./deliveries";
