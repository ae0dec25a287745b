import { describe, expect, it } from "vitest";
import { parseDuration, parsePercent } from "../../src/config/duration.js";
import { editDistance, nearest } from "../../src/config/suggest.js";

describe("parseDuration", () => {
  it("reads numbers and unit strings as seconds", () => {
    expect(parseDuration(3)).toBe(3);
    expect(parseDuration("500ms")).toBe(0.5);
    expect(parseDuration("5s")).toBe(5);
    expect(parseDuration("2m")).toBe(120);
    expect(Number.isNaN(parseDuration("5 minutes"))).toBe(true);
  });
});

describe("parsePercent", () => {
  it("reads signed thresholds", () => {
    expect(parsePercent("+10%")).toBeCloseTo(0.1);
    expect(parsePercent("-5%")).toBeCloseTo(-0.05);
    expect(Number.isNaN(parsePercent("10"))).toBe(true);
  });
});

describe("nearest", () => {
  it("suggests the closest known key for a typo, and nothing for a stranger", () => {
    expect(editDistance("workrs", "workers")).toBe(1);
    expect(nearest("workrs", ["command", "workers", "env"])).toBe("workers");
    expect(nearest("conections", ["requests", "connections", "rate"])).toBe("connections");
    expect(nearest("zzzzzz", ["command", "workers"])).toBeUndefined();
  });
});
