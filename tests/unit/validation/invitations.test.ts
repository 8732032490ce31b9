import { describe, expect, it } from "vitest";
import { namesOfAddresses, recipientsFormSchema, splitEmailLines } from "~/validation/invitations";

describe("the «Indirizzi aggiuntivi» of an invitation", () => {
  it("takes one address per line, or separated by commas and semicolons", () => {
    expect(splitEmailLines("a@x.it\nb@y.it, c@z.it; d@w.it\n\n")).toEqual(["a@x.it", "b@y.it", "c@z.it", "d@w.it"]);
  });

  it("takes the addresses of recipients pasted from a mail program, names and all", () => {
    expect(splitEmailLines('Mario Rossi <mario@x.it>; "Bianchi, Anna" <anna@y.it>, Ufficio SAI <sai@pec.comune.it>\nlibero@z.it')).toEqual([
      "mario@x.it",
      "anna@y.it",
      "sai@pec.comune.it",
      "libero@z.it",
    ]);
    expect(recipientsFormSchema.safeParse({ indirizzi: "Mario Rossi <mario@x.it>; Anna Bianchi <anna@y.it>" }).success).toBe(true);
  });

  it("keeps the names pasted with the addresses, for the greeting, and «Rossi, Mario» as «Mario Rossi»", () => {
    const text = 'Mario Rossi <Mario@X.it>; "Bianchi, Anna" <anna@y.it>, Ufficio  SAI<sai@pec.comune.it>\nlibero@z.it\n<solo@w.it>';
    expect(namesOfAddresses(text)).toEqual({ "mario@x.it": "Mario Rossi", "anna@y.it": "Anna Bianchi", "sai@pec.comune.it": "Ufficio SAI" });
  });

  it("does not take an address typed before a named one on the same line for a name", () => {
    const text = "primo@x.it Mario Rossi <mario@x.it>";
    expect(splitEmailLines(text)).toEqual(["primo@x.it", "mario@x.it"]);
    expect(namesOfAddresses(text)).toEqual({ "mario@x.it": "Mario Rossi" });
  });

  it("still reports a name without an address, word by word as typed", () => {
    const parsed = recipientsFormSchema.safeParse({ indirizzi: "Mario Rossi\nanna@y.it" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toBe("2 indirizzi non validi: «Mario», «Rossi». Scrivi un indirizzo email per riga.");
  });
});
