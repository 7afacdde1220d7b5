// Build step after `tsc -p tsconfig.build.json`: declarations still name the server packages
// by their bare names (`@caja/api`, `@caja/db`), which a consumer cannot resolve. Point each
// at the declarations emitted beside them, so the published types are self-contained.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const typesDir = fileURLToPath(new URL("../dist/types", import.meta.url));
const entryOf: Record<string, string> = {
  "@caja/api": join(typesDir, "api/src/index"),
  "@caja/db": join(typesDir, "db/src/index"),
};

function* declarationFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarationFiles(path);
    else if (entry.name.endsWith(".d.ts")) yield path;
  }
}

let rewritten = 0;
for (const file of declarationFiles(typesDir)) {
  const text = readFileSync(file, "utf8");
  const next = text.replace(
    /(from\s+|import\()(["'])(@caja\/(?:api|db))\2/g,
    (_match, lead: string, quote: string, name: string) => {
      const target = entryOf[name];
      if (!target) return _match;
      const path = relative(dirname(file), target);
      return `${lead}${quote}${path.startsWith(".") ? path : `./${path}`}${quote}`;
    },
  );
  if (next !== text) {
    writeFileSync(file, next);
    rewritten++;
  }
}
console.log(`declarations: pointed @caja/* imports at the bundled server types in ${rewritten} files`);
