import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv";

describe("parseCsv", () => {
  it("reads quotes, doubled quotes, delimiters and newlines inside fields", () => {
    const text = 'line,column,value,reason\r\n3,latitude,"95,5","out of range"\n4,address,"a ""b""\nc",too long\n';
    expect(parseCsv(text)).toEqual([
      ["line", "column", "value", "reason"],
      ["3", "latitude", "95,5", "out of range"],
      ["4", "address", 'a "b"\nc', "too long"],
    ]);
  });
  it("reads a last line without a newline", () => {
    expect(parseCsv("a,b\n1,2")).toEqual([["a", "b"], ["1", "2"]]);
  });
});
