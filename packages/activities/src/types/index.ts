import type { ConfigInputOf, ConfigOf, ResponseOf, ResultOf } from "../define";
import { openText } from "./open-text";
import { poll } from "./poll";
import { qa } from "./qa";
import { quiz } from "./quiz";
import { rating } from "./rating";
import { wordCloud } from "./word-cloud";

/** The types every Caja server knows. Pass them to `createActivityRegistry`, with a deployer's own after them. */
export const builtInActivityTypes = [poll, wordCloud, rating, qa, openText, quiz] as const;

type BuiltIn = (typeof builtInActivityTypes)[number];
export type BuiltInActivityTypeName = BuiltIn["type"];

/** Stored config per built-in type (after defaults and trimming). */
export type ConfigByType = { [T in BuiltIn as T["type"]]: ConfigOf<T> };
/** Config as a client sends it when creating or updating an activity. */
export type ConfigInputByType = { [T in BuiltIn as T["type"]]: ConfigInputOf<T> };
export type ResponseByType = { [T in BuiltIn as T["type"]]: ResponseOf<T> };
/** `results` of the results route per built-in type. */
export type ResultsByType = { [T in BuiltIn as T["type"]]: ResultOf<T> };

export { openText, poll, qa, quiz, rating, wordCloud };
