// The page a coordinator returns to after signing in (`redirectTo`) never leads off the site, also
// in the forms browsers rewrite: tabs and newlines dropped, "\" read as "/", dot segments removed.
import { describe, expect, it } from "vitest";
import { action as loginAction } from "~/routes/login";
import { safeRedirectPath } from "~/utils/safe-redirect.server";
import { settle } from "../../support/admin";
import { browserPost, loadContext } from "../../support/requests";

const OFF_SITE = [
  "//evil.example/x",
  "/\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/\\/evil.example",
  "/admin\\..\\..\\\\evil.example",
  // Dot segments that the URL parser removes, leaving "//evil.example".
  "/.//evil.example/phish",
  "/a/..//evil.example",
  "/%2e//evil.example",
  "/admin/../..//evil.example/x?y=1",
  "https://evil.example/",
  "javascript:alert(1)",
  "evil.example",
  "",
];

describe("safeRedirectPath", () => {
  it.each(OFF_SITE)("refuses %j", (target) => {
    expect(safeRedirectPath(target, "/admin")).toBe("/admin");
    // Whatever it returns, a browser resolves it on this site.
    expect(new URL(safeRedirectPath(target, "/admin"), "https://sai.example.org").origin).toBe("https://sai.example.org");
  });

  it("keeps paths of the portal with their query and fragment", () => {
    expect(safeRedirectPath("/admin/adesioni?stato=pending&q=Comune%20di%20Enna#risultati", "/admin")).toBe(
      "/admin/adesioni?stato=pending&q=Comune%20di%20Enna#risultati",
    );
    expect(safeRedirectPath("/admin/tavoli/3", "/admin")).toBe("/admin/tavoli/3");
    expect(safeRedirectPath(undefined, "/area-referente")).toBe("/area-referente");
  });

  it("after sign-in, a redirectTo with a tab (which browsers drop) goes to /admin, not off the site", async () => {
    const request = await browserPost("/login", {
      email: "coordinatore@example.org",
      password: "password-di-prova-123",
      redirectTo: "/\t/evil.example",
    });
    const response = await settle(() => loginAction({ request, params: {}, context: { cspNonce: "", clientIp: loadContext().clientIp } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin");
  });
});
