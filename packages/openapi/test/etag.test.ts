import { describe, expect, it } from "vitest";
import { matchesIfNoneMatch } from "../src/etag";

/** If-None-Match as RFC 9110 compares it for GET: weakly, any tag of a list, or `*`. */
describe("matchesIfNoneMatch", () => {
  const etag = 'W/"abc"';
  it.each([
    ['W/"abc"', true],
    ['"abc"', true],
    [' W/"abc" ', true],
    ["*", true],
    [" * ", true],
    ['W/"x", W/"abc"', true],
    ['"x","abc"', true],
    ['W/"x", *', false],
    ['W/"abd"', false],
    ['W/"abc', false],
    ['"x", "y"', false],
    ["", false],
  ])("%j: %s", (header, expected) => {
    expect(matchesIfNoneMatch(header, etag)).toBe(expected);
  });
  it("no header: no match", () => expect(matchesIfNoneMatch(undefined, etag)).toBe(false));
});
