import type { ActivityRegistry, ResponseMode } from "@caja/activities";
import type { ActivityRow, LifecycleStatus } from "@caja/db";
import { validationError } from "../errors";

/** The issue-9 fields a facilitator sets on create and update (undefined: not given). */
export interface FacilitatorFields {
  responseMode?: ResponseMode;
  maxResponsesPerParticipant?: number | null;
  resultsVisible?: boolean;
  minResponsesToShow?: number | null;
  privateConfig?: Record<string, unknown>;
}

type Current = Pick<ActivityRow, "responseMode" | "maxResponsesPerParticipant" | "privateConfig"> & { status: LifecycleStatus };

/**
 * The fields as they will be stored, checked together with the type (new or current):
 * a registered type's mode is the type's own (a different explicit value is a mistake worth
 * a 400, not silently ignored); a cap needs multiple mode; `private_config` is for types
 * that have no private fields of their own. A mode change once responses may exist would
 * leave rows of the other mode behind (a second "single" answer, or an uncapped history),
 * so the mode is fixed once the activity has left draft.
 */
export function resolveFacilitatorFields(
  registry: ActivityRegistry,
  type: string,
  given: FacilitatorFields,
  current?: Current,
): FacilitatorFields {
  const registered = registry.has(type);
  if (registered && given.responseMode !== undefined && given.responseMode !== registry.responseMode(type)) {
    throw validationError(
      "response_mode",
      `the type "${type}" always uses ${registry.responseMode(type)} mode; omit response_mode or send that value`,
    );
  }
  const mode = registry.responseMode(type, given.responseMode ?? current?.responseMode);
  if (current && current.status !== "draft" && mode !== current.responseMode) {
    throw validationError("response_mode", "cannot change once the activity has started");
  }
  const cap =
    given.maxResponsesPerParticipant !== undefined ? given.maxResponsesPerParticipant : current?.maxResponsesPerParticipant;
  if (mode === "single" && cap != null) {
    throw validationError("max_responses_per_participant", "only for activities in multiple response mode");
  }
  if (registered && given.privateConfig !== undefined && Object.keys(given.privateConfig).length > 0) {
    const own = registry.privateConfigFields(type);
    const hint = own.length > 0 ? ` (its private fields ${own.join(", ")} are part of config)` : "";
    throw validationError("private_config", `only for unregistered types; "${type}" is registered${hint}`);
  }
  return {
    responseMode: mode,
    ...(given.maxResponsesPerParticipant !== undefined ? { maxResponsesPerParticipant: given.maxResponsesPerParticipant } : {}),
    ...(given.resultsVisible !== undefined ? { resultsVisible: given.resultsVisible } : {}),
    ...(given.minResponsesToShow !== undefined ? { minResponsesToShow: given.minResponsesToShow } : {}),
    ...(given.privateConfig !== undefined ? { privateConfig: given.privateConfig } : {}),
  };
}
