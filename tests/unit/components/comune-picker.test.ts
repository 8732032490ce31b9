import { describe, expect, it } from "vitest";
import { comuneItem, suggestComuni } from "~/components/comune-picker";

const items = [
  comuneItem("083073", "Sant'Agata di Militello", "ME"),
  comuneItem("087042", "Sant'Agata li Battiati", "CT"),
  comuneItem("082034", "Geraci Siculo", "PA"),
  comuneItem("087003", "Aci Sant'Antonio", "CT"),
  comuneItem("082027", "Cefalù", "PA"),
  comuneItem("083005", "Barcellona Pozzo di Gotto", "ME"),
  comuneItem("081005", "Castellammare del Golfo", "TP"),
];
const names = (typed: string) => suggestComuni(items, typed).map((i) => i.label);

describe("the comuni the Comune field suggests", () => {
  it("match a name typed with a space, an apostrophe or none where the name has an apostrophe", () => {
    for (const typed of ["sant agata", "Sant'Agata", "Sant’Agata", "santagata", "SANT AGATA DI"]) {
      expect(names(typed), typed).toEqual(expect.arrayContaining(["Sant'Agata di Militello (ME)"]));
    }
    expect(names("sant agata di")).toEqual(["Sant'Agata di Militello (ME)"]);
  });

  it("list the names that start with the text before those that only contain it", () => {
    expect(names("aci s")).toEqual(["Aci Sant'Antonio (CT)", "Geraci Siculo (PA)"]);
    expect(names("cefalu")).toEqual(["Cefalù (PA)"]);
    expect(names("Cefalù (PA)")).toEqual(["Cefalù (PA)"]);
    expect(names("agata")).toEqual(["Sant'Agata di Militello (ME)", "Sant'Agata li Battiati (CT)"]);
    expect(names("xyz")).toEqual([]);
  });

  it("match abbreviated names, each typed word starting a word of the name in order", () => {
    expect(names("Barcellona P.G.")).toEqual(["Barcellona Pozzo di Gotto (ME)"]);
    expect(names("barcellona p. di g.")).toEqual(["Barcellona Pozzo di Gotto (ME)"]);
    expect(names("Castell. del Golfo")).toEqual(["Castellammare del Golfo (TP)"]);
    expect(names("S. Agata Militello")).toEqual(["Sant'Agata di Militello (ME)"]);
    expect(names("S.Agata")).toEqual(["Sant'Agata di Militello (ME)", "Sant'Agata li Battiati (CT)"]);
    // The order of the words counts, and every typed word must be found.
    expect(names("Gotto Barcellona")).toEqual([]);
    expect(names("Barcellona P.X.")).toEqual([]);
  });
});
