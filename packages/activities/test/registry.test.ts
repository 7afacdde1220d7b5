import { describe, expect, expectTypeOf, it } from "vitest";
import {
  activityTypeInfo,
  builtInActivityTypes,
  createActivityRegistry,
  poll,
  validationDetails,
  type ConfigByType,
  type ResponseByType,
  type ResultsByType,
} from "../src";
import { registry, stored } from "./support";

describe("list()", () => {
  it("gives every built-in type with its mode and JSON Schemas", () => {
    const list = registry.list();
    expect(list.map((t) => [t.type, t.mode])).toEqual([
      ["poll", "single"],
      ["word_cloud", "multiple"],
      ["rating", "single"],
      ["qa", "multiple"],
      ["open_text", "multiple"],
      ["quiz", "single"],
    ]);
    const quiz = list.find((t) => t.type === "quiz");
    expect(quiz).toMatchObject({ private_config_fields: ["correct_options"], scored: true });
    expect(quiz?.config_schema).toMatchObject({
      type: "object",
      required: ["question", "options", "correct_options"],
      additionalProperties: false,
      properties: { options: { type: "array", minItems: 2, maxItems: 20 }, time_limit_s: { type: "integer" } },
    });
    const pollEntry = list.find((t) => t.type === "poll");
    expect(pollEntry?.response_schema).toMatchObject({
      required: ["selected_options"],
      properties: { selected_options: { type: "array" } },
    });
    expect(pollEntry?.result_schema).toMatchObject({ required: ["options", "total_voters"] });
  });

  it("matches the wire schema the API declares for GET /api/v1/activity-types", () => {
    for (const entry of registry.list()) expect(activityTypeInfo.parse(entry)).toEqual(entry);
  });

  it("is plain JSON", () => {
    const list = registry.list();
    expect(JSON.parse(JSON.stringify(list))).toEqual(list);
  });
});

describe("unregistered types", () => {
  it("accept any object config and any response, with the activity's own response mode", () => {
    expect(registry.validateConfig("bingo", { cells: [1, 2] })).toEqual({ ok: true, value: { cells: [1, 2] } });
    expect(registry.validateConfig("bingo", [1])).toEqual({
      ok: false,
      issues: [{ field: "config", reason: "must be an object" }],
    });
    expect(registry.validateResponse("bingo", {}, "anything")).toEqual({ ok: true, value: "anything" });
    expect(registry.responseMode("bingo")).toBe("single");
    expect(registry.responseMode("bingo", "multiple")).toBe("multiple");
    expect(registry.responseMode("poll", "multiple")).toBe("single");
  });

  it("are refused at field type when the registry does not allow them", () => {
    const strict = createActivityRegistry(builtInActivityTypes, { allowUnregistered: false });
    expect(strict.validateConfig("bingo", {})).toEqual({
      ok: false,
      issues: [{ field: "type", reason: 'Unknown activity type "bingo"' }],
    });
    expect(strict.validateConfig("poll", { question: "q", options: ["a", "b"] }).ok).toBe(true);
  });

  it("get the generic result: responses and distinct participants, rejected ones left out", () => {
    const responses = [
      stored(1, "x", { id: "a" }),
      stored(1, "y", { id: "b", second: 5 }),
      stored(2, { z: 1 }, { id: "c" }),
      stored(3, 1, { id: "d", status: "rejected" }),
    ];
    expect(registry.results("bingo", {}, responses)).toEqual({ response_count: 3, participants_answered: 2 });
  });
});

it("falls back to the generic result when a stored config does not fit its type (stored before the type was registered)", () => {
  expect(registry.results("poll", { question: "q" }, [stored(1, { selected_options: ["a"] })])).toEqual({
    response_count: 1,
    participants_answered: 1,
  });
  expect(registry.validateResponse("poll", { question: "q" }, { selected_options: ["a"] })).toEqual({
    ok: false,
    issues: [{ field: "config", reason: 'The activity\'s configuration does not fit the type "poll"' }],
  });
});

it("refuses the same type twice", () => {
  expect(() => createActivityRegistry([...builtInActivityTypes, poll])).toThrow('Activity type "poll" is registered twice');
});

it("reports several issues in the API's details format", () => {
  const v = registry.validateConfig("poll", { options: ["a"] });
  expect(v.ok).toBe(false);
  if (v.ok) return;
  expect(validationDetails(v.issues)).toEqual({
    field: "config.question",
    reason: "Required field missing",
    issues: [
      { field: "config.question", reason: "Required field missing" },
      { field: "config.options", reason: "must have at least 2 options" },
    ],
  });
  expect(validationDetails(v.issues.slice(0, 1))).toEqual({ field: "config.question", reason: "Required field missing" });
});

it("keeps public config intact for types without private fields", () => {
  const config = { question: "q", options: ["a", "b"] };
  expect(registry.publicConfig("poll", config)).toBe(config);
  expect(registry.publicConfig("bingo", config)).toBe(config);
});

it("types configs, responses and results per built-in type", () => {
  expectTypeOf<ConfigByType["poll"]>().toEqualTypeOf<{
    question: string;
    options: string[];
    allow_multiple?: boolean | undefined;
  }>();
  expectTypeOf<ResponseByType["qa"]>().toEqualTypeOf<{ question_text: string }>();
  expectTypeOf<ResultsByType["poll"]["options"][number]>().toEqualTypeOf<{ option: string; count: number; percentage: number }>();
  expectTypeOf<ResultsByType["rating"]["average"]>().toEqualTypeOf<number | null>();
  expectTypeOf<keyof ResultsByType>().toEqualTypeOf<"poll" | "word_cloud" | "rating" | "qa" | "open_text" | "quiz">();
});

describe("answerText (export cells)", () => {
  it.each([
    ["poll", { selected_options: ["Pizza", "Soup"] }, "Pizza; Soup"],
    ["quiz", { selected_options: ["4"] }, "4"],
    ["word_cloud", { words: ["calm", "blue sky"] }, "calm; blue sky"],
    ["rating", { value: 4.5 }, "4.5"],
    ["qa", { question_text: "Why, though?" }, "Why, though?"],
    ["open_text", { text: "line one\nline two" }, "line one\nline two"],
    ["bingo", { cells: [1, 2] }, '{"cells":[1,2]}'],
    ["bingo", "B-12", "B-12"],
    ["poll", { unexpected: true }, '{"unexpected":true}'],
  ])("%s %j reads %j", (type, data, text) => {
    expect(registry.answerText(type, data)).toBe(text);
  });
});
