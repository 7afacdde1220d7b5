export * from "./common";
export * from "./session";
export * from "./participant";
export * from "./activity";
export * from "./response";
export * from "./polling";
export * from "./results";
export * from "./export";
