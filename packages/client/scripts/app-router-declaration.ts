// Build step before tsup: writes the router type a client needs (each procedure's kind, input,
// output, and the error shape) as one self-contained declaration file. The published
// declarations are bundled against it instead of `@caja/api`, whose own types reach the
// server's context (Drizzle, Upstash) and meta (trpc-to-openapi): none of that is on the wire,
// and a consumer should not have to install it.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
/** A build intermediate (tsup.config.ts reads it), kept where git and Prettier look away. */
const APP_ROUTER_DECLARATION = join(packageDir, "node_modules/.cache/caja-client/app-router.d.ts");

/** Where the SDK gets `AppRouter` from; the generated file replaces that module in the bundle. */
const TYPES_ENTRY = join(packageDir, "src/types.ts");
/**
 * The module the types are printed from: tRPC's names are in scope there (and in the generated
 * file), the server's are not, so each server type is named by an `import("...")` that
 * `generate` replaces with a copy of its declaration.
 */
const SCRATCH = join(packageDir, "src/__app-router-scratch__.ts");
const TRPC_NAMES = [
  "TRPCBuiltRouter",
  "TRPCMutationProcedure",
  "TRPCQueryProcedure",
  "TRPCSubscriptionProcedure",
  "TRPC_ERROR_CODE_NUMBER",
  "inferRouterInputs",
  "inferRouterOutputs",
];
const TRPC_IMPORT = `import type { ${TRPC_NAMES.join(", ")} } from "@trpc/server";\n`;

/** Re-exported by src/types.ts from @caja/activities; see `activityTypes` below. */
const ACTIVITY_TYPE_NAMES = [
  "BuiltInActivityTypeName",
  "ConfigByType",
  "ConfigInputByType",
  "GenericResult",
  "LeaderboardEntry",
  "ResponseByType",
  "ResultsByType",
];

const procedureClass = {
  query: "TRPCQueryProcedure",
  mutation: "TRPCMutationProcedure",
  subscription: "TRPCSubscriptionProcedure",
};

function createChecker() {
  const configFile = ts.readConfigFile(join(packageDir, "tsconfig.json"), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, packageDir);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) =>
    fileName === SCRATCH
      ? ts.createSourceFile(fileName, `${TRPC_IMPORT}export {};\n`, language)
      : getSourceFile(fileName, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === SCRATCH || fileExists(fileName);
  const program = ts.createProgram([TYPES_ENTRY, SCRATCH], { ...options, noEmit: true }, host);
  const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(TYPES_ENTRY));
  if (problems.length > 0) throw new Error(ts.formatDiagnostics(problems, host));
  const scratch = program.getSourceFile(SCRATCH);
  const entry = program.getSourceFile(TYPES_ENTRY);
  if (!scratch || !entry) throw new Error("app-router-declaration: the program lost its own files");
  return { checker: program.getTypeChecker(), program, scratch, entry };
}

function generate(): string {
  const { checker, program, scratch, entry } = createChecker();
  const printer = ts.createPrinter();
  const flags = ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.MultilineObjectLiterals | ts.NodeBuilderFlags.IgnoreErrors;
  /** Server types (aliases, interfaces) the printed types name, copied into the generated file by name. */
  const copied = new Map<string, { from: string; text?: string }>();

  const print = (type: ts.Type, where: string, extraFlags = ts.NodeBuilderFlags.None): string => {
    const node = checker.typeToTypeNode(type, scratch, flags | extraFlags);
    if (!node) throw new Error(`app-router-declaration: cannot print the type of ${where}`);
    return printer
      .printNode(ts.EmitHint.Unspecified, node, scratch)
      .replace(/import\("([^"]*)"\)\.([\w$]+)/g, (_match, from: string, name: string) => copyServerType(from, name, where));
  };

  const copyServerType = (from: string, name: string, where: string): string => {
    // A type from a package would make the consumer install it (zod, drizzle-orm, ...).
    if (from.includes("/node_modules/")) throw new Error(`app-router-declaration: ${where} uses ${name} from ${from}`);
    const seen = copied.get(name);
    if (seen && seen.from !== from)
      throw new Error(`app-router-declaration: two server types named ${name} (${seen.from}, ${from})`);
    if (seen) return name;
    copied.set(name, { from });
    const file = program.getSourceFile(`${from}.ts`);
    const module = file && checker.getSymbolAtLocation(file);
    const symbol = module && checker.getExportsOfModule(module).find((candidate) => candidate.name === name);
    const declaration = symbol?.declarations?.[0];
    const generic =
      declaration &&
      (ts.isTypeAliasDeclaration(declaration) || ts.isInterfaceDeclaration(declaration)) &&
      declaration.typeParameters;
    if (!symbol || generic || !(symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface)))
      throw new Error(`app-router-declaration: ${where} uses ${name} from ${from}, which is not a plain type alias or interface`);
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    const text =
      symbol.flags & ts.SymbolFlags.TypeAlias
        ? print(declared, name, ts.NodeBuilderFlags.InTypeAlias)
        : interfaceLiteral(declared, name);
    copied.set(name, { from, text });
    return name;
  };

  // An interface prints by its name wherever it is used; copied, it becomes the object type it
  // describes. One with call signatures has no place on the wire and is refused.
  const interfaceLiteral = (type: ts.Type, name: string): string => {
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0)
      throw new Error(`app-router-declaration: ${name} has call signatures`);
    const members = checker.getPropertiesOfType(type).map((member) => {
      const optional = member.flags & ts.SymbolFlags.Optional ? "?" : "";
      const readonly = member.declarations?.some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly)
        ? "readonly "
        : "";
      return `${readonly}${JSON.stringify(member.name)}${optional}: ${print(checker.getTypeOfSymbol(member), `${name}.${member.name}`)};`;
    });
    const indexes = checker
      .getIndexInfosOfType(type)
      .map(
        (info) =>
          `${info.isReadonly ? "readonly " : ""}[key: ${print(info.keyType, `${name} index`)}]: ${print(info.type, `${name} index`)};`,
      );
    return `{ ${[...indexes, ...members].join(" ")} }`;
  };

  const property = (type: ts.Type, name: string, where: string): ts.Type => {
    const symbol = checker.getPropertyOfType(type, name);
    if (!symbol) throw new Error(`app-router-declaration: ${where} has no ${name}`);
    return checker.getTypeOfSymbol(symbol);
  };

  const moduleSymbol = checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) throw new Error("app-router-declaration: src/types.ts is not a module");
  const exported = checker.getExportsOfModule(moduleSymbol).find((symbol) => symbol.name === "AppRouter");
  if (!exported) throw new Error("app-router-declaration: src/types.ts exports no AppRouter");
  const router = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(exported));
  const definition = property(router, "_def", "AppRouter");
  const config = property(property(definition, "_config", "_def"), "$types", "_config");

  const recordText = (type: ts.Type, path: string, indent: string): string => {
    const lines = checker.getPropertiesOfType(type).map((symbol) => {
      const where = path ? `${path}.${symbol.name}` : symbol.name;
      const value = checker.getTypeOfSymbol(symbol);
      const procedure = checker.getPropertyOfType(value, "_def");
      if (!procedure) return `${indent}  ${symbol.name}: ${recordText(value, where, `${indent}  `)};`;
      const def = checker.getTypeOfSymbol(procedure);
      const kind = checker.typeToString(property(def, "type", where)).replaceAll('"', "");
      if (!Object.hasOwn(procedureClass, kind))
        throw new Error(`app-router-declaration: ${where} is a procedure of kind ${kind}`);
      const types = property(def, "$types", where);
      const input = print(property(types, "input", where), `${where} input`);
      const output = print(property(types, "output", where), `${where} output`);
      const generic = procedureClass[kind as keyof typeof procedureClass];
      return `${indent}  ${symbol.name}: ${generic}<{ input: ${input}; output: ${output}; meta: object; errorShape: ErrorShape }>;`;
    });
    return `{\n${lines.join("\n")}\n${indent}}`;
  };

  // The activity types' configs, responses and results the SDK re-exports from @caja/activities,
  // printed as the plain types they are on the wire (tsup.config.ts maps @caja/activities here too).
  const activityTypes = ACTIVITY_TYPE_NAMES.map((name) => {
    const symbol = checker.getExportsOfModule(moduleSymbol).find((candidate) => candidate.name === name);
    if (!symbol) throw new Error(`app-router-declaration: src/types.ts exports no ${name}`);
    const type = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(symbol));
    const text =
      type.flags & ts.TypeFlags.Object ? interfaceLiteral(type, name) : print(type, name, ts.NodeBuilderFlags.InTypeAlias);
    return `export type ${name} = ${text};\n`;
  }).join("");

  const errorShape = print(property(config, "errorShape", "AppRouter"), "the error shape");
  const transformer = print(property(config, "transformer", "AppRouter"), "the transformer");
  const record = recordText(property(definition, "record", "_def"), "", "  ");
  const aliases = [...copied].map(([name, { text }]) => `type ${name} = ${text};\n`).join("");

  const body = `${aliases}${activityTypes}type ErrorShape = ${errorShape};

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: ErrorShape; transformer: ${transformer} },
  ${record}
>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
`;
  const used = TRPC_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(body));
  const text = `// Generated at build time by scripts/app-router-declaration.ts from the server's AppRouter:
// the router as a client sees it, each procedure's input and output. The server's context and
// metadata are left out; a client never uses them.
import type { ${used.join(", ")} } from "@trpc/server";

${body}`;
  // Parsed and printed again only to indent the nested types evenly.
  return printer.printFile(ts.createSourceFile("app-router.d.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
}

mkdirSync(dirname(APP_ROUTER_DECLARATION), { recursive: true });
writeFileSync(APP_ROUTER_DECLARATION, generate());
console.log(`declarations: wrote ${APP_ROUTER_DECLARATION}`);
