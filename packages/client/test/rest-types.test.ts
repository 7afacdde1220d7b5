import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_FILE, generateRestSchema } from "../scripts/generate-rest";

describe("src/rest/schema.ts", () => {
  it("matches the server's OpenAPI document (else run `pnpm --filter @caja/client generate:rest`)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "caja-rest-types-"));
    try {
      const fresh = join(dir, "schema.ts");
      writeFileSync(fresh, await generateRestSchema());
      const committed = readFileSync(SCHEMA_FILE, "utf8");
      expect(committed === readFileSync(fresh, "utf8"), "the committed REST types are stale").toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
