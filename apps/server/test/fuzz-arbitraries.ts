import fc from "fast-check";

/**
 * Generators of hostile requests for fuzz.test.ts. The OpenAPI document is the map
 * (paths, methods, parameter and body property names); the values are valid ones
 * mixed with what has broken servers before: odd Unicode, out-of-range numbers,
 * broken percent-encoding, deep nesting, huge strings, wrong types.
 */

/** What the generators may use as "valid": ids and tokens of real rows, made before the run. */
export interface FuzzWorld {
  sessionIds: number[];
  activityIds: string[];
  participantIds: number[];
  joinCodes: string[];
  tokens: string[];
}

export interface FuzzRequest {
  /** The route as the document names it (`POST /api/v1/sessions`, `trpc session.get`), for the per-route table. */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

/**
 * encodeURIComponent, except that it never throws: a lone surrogate goes out as the
 * UTF-8 bytes of U+FFFD, as a client's encoder would send it.
 */
export function percentEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const oddChars = fc.constantFrom(
  "\u0000",
  "\ud800",
  "\udfff",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\uffff",
  "😀",
  "\u0301",
  "\\",
  '"',
  "%",
  "'",
  "\n",
  "/",
  "?",
  "#",
  "..",
);
const anyChar = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: oddChars },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);
export const hostileString = fc.oneof(
  { weight: 15, arbitrary: fc.string({ unit: anyChar, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(300, 5000, 20_000, 70_000).map((n) => "x".repeat(n)) },
);

const hugeInts = [0, -1, 1, 2147483647, 2147483648, -2147483649, 9007199254740991, 2 ** 53 + 2, 1e21, 1e308, -0];
export const hostileNumber = fc.oneof(
  fc.constantFrom(...hugeInts, Number.MAX_VALUE, Number.MIN_VALUE, 0.5),
  fc.integer(),
  fc.double({ noNaN: true }),
);

/** `[[[...]]]` or `{"a":{"a":...}}` of a chosen depth: past the 64 levels stored JSON may have. */
const deep = fc
  .tuple(fc.constantFrom(2, 10, 63, 64, 65, 100, 1000, 3000), fc.boolean())
  .map(([depth, arrays]): unknown =>
    JSON.parse(arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)),
  );

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, {}, [], "", " ") },
);

const ts = fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }).map((ms) => new Date(Math.trunc(ms)).toISOString());
const timestampText = fc.oneof(
  ts,
  fc.constantFrom("0000-01-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "99999-01-01", "-1", "1e400", "NaN"),
  fc.bigInt({ min: -1n, max: 10n ** 16n }).map(String),
  hostileString,
);

/** A value for a path, query or body field, chosen by its name; often valid, often not. */
function valueFor(name: string, world: FuzzWorld): fc.Arbitrary<unknown> {
  const valid = (() => {
    if (/session_id$/.test(name)) return fc.constantFrom(...world.sessionIds);
    if (/activity_id$|^id$/.test(name)) return fc.constantFrom(...world.activityIds, "00000000-0000-4000-8000-000000000000");
    if (/participant_id$/.test(name)) return fc.constantFrom(...world.participantIds, "me");
    if (/timestamp|since|_at$/.test(name)) return timestampText;
    if (/limit|offset|max_/.test(name)) return fc.integer({ min: -5, max: 2000 });
    if (name === "cursor") return fc.base64String({ maxLength: 120 }).map((s) => s.replace(/=+$/, ""));
    if (name === "status") return fc.constantFrom("draft", "active", "completed", "ACTIVE", "");
    if (name === "type") return fc.constantFrom("poll", "word_cloud", "qa", "rating", "open_text", "quiz", "custom");
    if (name === "config" || name === "private_config") return fc.dictionary(fc.string(), hostileJson, { maxKeys: 4 });
    if (name === "response_data") return hostileJson;
    if (name === "join_code") return fc.constantFrom(...world.joinCodes);
    if (/^(is_|results_visible|joins_locked)/.test(name)) return fc.boolean();
    return hostileString;
  })();
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostileJson });
}

/** A path segment: the value as text, percent-encoded as a client would, or broken on purpose. */
function segmentFor(name: string, world: FuzzWorld): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: valueFor(name, world).map((v) => percentEncode(typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
    },
    { weight: 1, arbitrary: fc.constantFrom("%E0%A4%A", "%", "%00", "%ZZ", "..", ".", "%2F", "%ED%A0%80", "") },
  );
}

const contentTypes = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "application/vnd.api+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "",
  "json",
);

function headersFor(world: FuzzWorld): fc.Arbitrary<Record<string, string | string[]>> {
  const bearer = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...world.tokens).map((t) => `Bearer ${t}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("Bearer", "Bearer ", "Bearer a.b.c", "Basic eDp5", "bearer x", "Bearer " + "a".repeat(5000)),
    },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((s) => `Bearer ${s}`) },
  );
  // Mostly what a client sends, so that requests get past authentication and parsing; sometimes not.
  const usually = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 5, arbitrary: common }, { weight: 1, arbitrary: rare });
  const sometimes = <T>(value: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
  return fc
    .record({
      "content-type": usually(fc.constant("application/json"), contentTypes),
      authorization: usually<string | string[] | undefined>(
        bearer,
        fc.oneof(fc.constant(undefined), fc.array(bearer, { minLength: 2, maxLength: 2 })),
      ),
      "if-none-match": sometimes(
        fc.oneof(fc.constantFrom("*", 'W/"x"', ""), fc.string({ unit: "grapheme-ascii", maxLength: 40 })),
      ),
      "idempotency-key": sometimes(fc.string({ unit: "grapheme-ascii", maxLength: 300 })),
      "x-forwarded-for": sometimes(fc.constantFrom("1.2.3.4", "::1, 10.0.0.1", "garbage", "", "1.2.3.4, ".repeat(50))),
      "x-pad": sometimes(fc.constantFrom(10, 1000, 15_000, 40_000).map((n) => "p".repeat(n))),
      origin: sometimes(fc.constantFrom("http://evil.example", "null", "http://localhost:3000")),
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>);
}

/** A body: JSON of a near-valid object, JSON of anything, broken JSON, invalid UTF-8, or none. */
function bodyFor(properties: string[], world: FuzzWorld): fc.Arbitrary<Buffer | undefined> {
  const known = properties.length > 0 ? fc.constantFrom(...properties) : hostileString;
  // Every known property (some left out) plus a stray key now and then: valid often enough to reach the database.
  const full = fc
    .tuple(
      fc.tuple(
        ...properties.map((key) =>
          fc.option(
            valueFor(key, world).map((v) => [key, v] as const),
            { freq: 6, nil: undefined },
          ),
        ),
      ),
      fc.option(fc.tuple(hostileString, hostileJson), { freq: 3, nil: undefined }),
    )
    .map(([pairs, stray]) => Object.fromEntries([...pairs, stray].filter((p) => p !== undefined)));
  const object = fc.oneof(
    { weight: 3, arbitrary: full },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof({ weight: 4, arbitrary: known }, { weight: 1, arbitrary: hostileString }), { maxLength: 6 })
        .chain((keys) =>
          fc
            .tuple(...keys.map((key) => valueFor(key, world).map((v) => [key, v] as const)))
            .map((pairs) => Object.fromEntries(pairs)),
        ),
    },
  );
  return fc.oneof(
    { weight: 6, arbitrary: object.map((o) => Buffer.from(JSON.stringify(o))) },
    { weight: 2, arbitrary: hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? "")) },
    { weight: 1, arbitrary: object.map((o) => Buffer.from(JSON.stringify(o).slice(0, -1))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), Buffer.from("[".repeat(60_000)), Buffer.alloc(0)),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export interface DocumentOperation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string }>;
  bodyProperties: string[];
}

const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] as const;

/** A request to one REST operation of the document, mostly with its own method. */
export function restRequest(op: DocumentOperation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query").map((p) => p.name);
  return fc
    .record({
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant(op.method.toUpperCase()) },
        { weight: 1, arbitrary: fc.constantFrom(...methods) },
      ),
      segments: fc.tuple(...pathParams.map((p) => segmentFor(p.name, world).map((s) => [p.name, s] as const))),
      query: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...queryParams, "x"), hostileString), fc.nat()), { maxLength: 4 })
        .chain((keys) => fc.tuple(...keys.map(([key]) => segmentFor(key, world).map((v) => `${percentEncode(key)}=${v}`)))),
      headers: headersFor(world),
      body: bodyFor(op.bodyProperties, world),
    })
    .map(({ method, segments, query, headers, body }) => {
      let path = op.path;
      for (const [name, value] of segments) path = path.replace(`{${name}}`, value);
      if (query.length > 0) path += `?${query.join("&")}`;
      return { route: `${op.method.toUpperCase()} ${op.path}`, method, path, headers, body };
    });
}

/** A tRPC call: one procedure or a batch, GET with `?input=` or POST with a body. */
export function trpcRequest(procedures: string[], properties: string[], world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const input = bodyFor(properties, world);
  return fc
    .record({
      names: fc.array(
        fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...procedures) }, { weight: 1, arbitrary: hostileString }),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
      batch: fc.boolean(),
      method: fc.constantFrom("GET", "GET", "POST", "PUT"),
      inputs: fc.array(input, { minLength: 1, maxLength: 4 }),
      brokenPath: fc.constantFrom("", "", "", "", "%E0%A4%A", "%"),
      headers: headersFor(world),
    })
    .map(({ names, batch, method, inputs, brokenPath, headers }) => {
      const texts = inputs.map((b) => (b === undefined ? undefined : b.toString("utf8")));
      const wrapped = batch ? `{${texts.map((t, i) => `"${i}":${t ?? "null"}`).join(",")}}` : (texts[0] ?? "");
      const path = `/trpc/${names.map(percentEncode).join(",")}${brokenPath}`;
      const query = batch ? "?batch=1" : "";
      // Several names without ?batch=1 are one (unknown) name to tRPC.
      const single = names.length === 1 && procedures.includes(names[0] ?? "") ? names[0] : "<unknown name>";
      const route = `trpc ${batch ? "batch" : single}`;
      if (method === "GET") {
        const sep = query ? "&" : "?";
        return { route, method, path: `${path}${query}${sep}input=${percentEncode(wrapped)}`, headers };
      }
      return { route, method, path: path + query, headers, body: Buffer.from(wrapped) };
    });
}
