import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "~/utils/password.server";

describe("verifyPassword", () => {
  it("accepts the password a hash was made from, and no other", async () => {
    const stored = await hashPassword("Una-password-lunga-1");
    expect(stored).toMatch(/^scrypt\$17\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("Una-password-lunga-1", stored)).toBe(true);
    expect(await verifyPassword("Una-password-lunga-2", stored)).toBe(false);
  });

  it("refuses every password against a damaged hash whose key decodes to (almost) nothing", async () => {
    // "y" decodes to zero bytes: without the guard, any password's zero-length key equalled it.
    for (const stored of ["scrypt$17$8$1$x$y", "scrypt$17$8$1$c2FsdA$AAAA", "scrypt$17$8$1$c2FsdA$"]) {
      expect(await verifyPassword("qualsiasi", stored), stored).toBe(false);
    }
  });
});
