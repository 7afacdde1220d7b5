import { invalidConfigMessage, type ActivityRegistry } from "@caja/activities";
import { invalidActivityInput } from "../errors";

/** The config as stored for this type (trimmed, checked); a VALIDATION_ERROR naming the field otherwise. */
export function validConfig(registry: ActivityRegistry, type: string, config: unknown): Record<string, unknown> {
  const validation = registry.validateConfig(type, config);
  if (!validation.ok) throw invalidActivityInput(invalidConfigMessage, validation.issues);
  return validation.value;
}
