// Forced colours (Windows high contrast): the browser replaces the page's colours with the user's
// system colours and drops backgrounds' images and box shadows. What marks a state by a fill or a
// shadow alone (the option the comune combobox would pick, the answer given to an invitation, the
// current tab, the current filter) must keep a marker that survives: these tests read the computed
// styles the way the browser paints them, with Chromium's forced colours emulation.
import type { Locator, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  approveFromDetail,
  createPublishedTavolo,
  findRequestId,
  inviteAddresses,
  open,
  registerAndConfirm,
  reusedSignIn,
  signInWithCode,
  useAdminBrowser,
  useSetupBrowser,
} from "./admin-support";
import { eventually, waitForHydration } from "./support";

const browser = useAdminBrowser();
const setup = useSetupBrowser();
const signedIn = reusedSignIn();

/**
 * How an element looks, in the properties forced colours keep: the colour painted behind it (its
 * own background, or the first one not transparent among its ancestors), its text colour, weight and
 * decoration, its outline and its bottom border when they are drawn in a colour other than the one
 * behind them (a transparent border, forced to a system colour, shows; one painted in the
 * background's colour does not). `textBackdrop`: what the text is drawn on; in forced colours the
 * browser puts a backplate of the page's colour (Canvas) behind the text of every element that has
 * not opted out with forced-color-adjust.
 */
const looks = (locator: Locator) =>
  locator.evaluate((element) => {
    const transparent = (colour: string) => colour === "transparent" || /^rgba\(.*,\s*0\)$/.test(colour);
    let paint = "none";
    for (let e: Element | null = element; e; e = e.parentElement) {
      const background = getComputedStyle(e).backgroundColor;
      if (!transparent(background)) {
        paint = background;
        break;
      }
    }
    const style = getComputedStyle(element);
    const canvas = document.createElement("span");
    canvas.style.color = "Canvas";
    document.body.append(canvas);
    const backplate = getComputedStyle(canvas).color;
    canvas.remove();
    const forced = matchMedia("(forced-colors: active)").matches && style.forcedColorAdjust !== "none";
    const line = (styleName: string, width: string, colour: string) =>
      styleName !== "none" && parseFloat(width) > 0 && !transparent(colour) && colour !== paint ? `${styleName} ${width} ${colour}` : null;
    return {
      paint,
      color: style.color,
      textBackdrop: forced ? backplate : paint,
      fontWeight: style.fontWeight,
      textDecoration: style.textDecorationLine,
      outline: line(style.outlineStyle, style.outlineWidth, style.outlineColor),
      underline: line(style.borderBottomStyle, style.borderBottomWidth, style.borderBottomColor),
      border: ["Top", "Right", "Bottom", "Left"].every((side) => {
        const get = (p: string) => style.getPropertyValue(`border-${side.toLowerCase()}-${p}`);
        return line(get("style"), get("width"), get("color")) !== null;
      }),
    };
  });

/** What marks a link out without its colour, which forced colours replace: weight, decoration, a line. */
const marks = ({ fontWeight, textDecoration, outline, underline }: Awaited<ReturnType<typeof looks>>) => ({ fontWeight, textDecoration, outline, underline });

/** Switches forced colours on or off and waits for the colour transitions it starts (Bootstrap's buttons) to end. */
async function forceColours(page: Page, forcedColors: "active" | "none") {
  await page.emulateMedia({ forcedColors });
  await page.waitForFunction(() => document.getAnimations().length === 0);
}

describe("in forced colours", () => {
  test("the comune combobox: the option that Enter or Tab would pick stands out from the others", async () => {
    const page = await browser.newPage();
    await open(page, "/adesione");
    await forceColours(page, "active");
    await waitForHydration(page);
    await page.getByLabel("Tipo di ente", { exact: true }).selectOption({ label: "Comune" });
    const combobox = page.getByRole("combobox", { name: "Comune" }).and(page.locator("input"));
    await combobox.fill("Pa");
    await combobox.press("ArrowDown");
    await combobox.press("ArrowDown");
    const activeId = await combobox.getAttribute("aria-activedescendant");
    expect(activeId, "an option is highlighted").toBeTruthy();
    const active = page.locator(`[id="${activeId}"]`);
    expect(await active.getAttribute("aria-selected")).toBe("true");
    const others = page.getByRole("option").and(page.locator(':not([aria-selected="true"])'));
    expect(await others.count()).toBeGreaterThan(1);
    const highlighted = await looks(active);
    for (const other of await others.all()) {
      const plain = await looks(other);
      expect(highlighted.paint, "the highlighted option's background against another's").not.toBe(plain.paint);
      expect(plain.outline, "another option's outline").toBeNull();
    }
    expect(highlighted.outline, "the highlighted option's outline").not.toBeNull();
    expect(highlighted.color, "the highlighted option's text against what it is drawn on").not.toBe(highlighted.textBackdrop);
  });

  test("the coordinators' area: the current tab and the current filter stand out from the others (and the filter without forced colours too)", async () => {
    const page = await browser.newPage();
    await signedIn(page);
    for (const forcedColors of ["none", "active"] as const) {
      await open(page, "/admin/adesioni?stato=approved");
      await forceColours(page, forcedColors);

      const filters = page.getByRole("navigation", { name: "Riepilogo delle richieste" }).getByRole("link");
      const currentFilter = filters.and(page.locator('[aria-current="true"]'));
      expect(await currentFilter.textContent()).toMatch(/^Approvata/);
      const current = marks(await looks(currentFilter));
      const otherFilters = await filters.and(page.locator(":not([aria-current])")).all();
      expect(otherFilters.length).toBeGreaterThan(2);
      for (const other of otherFilters) {
        expect(current, `the current filter against «${await other.textContent()}» (forced colours: ${forcedColors})`).not.toEqual(marks(await looks(other)));
      }

      if (forcedColors === "none") continue;
      // The tabs, as on a computer (on a phone they fold into a menu that names the current one).
      const tabs = page.locator('nav.section-nav-tabs[aria-label="Area coordinatori"]').getByRole("link");
      const currentTab = tabs.and(page.locator('[aria-current="page"]'));
      expect(await currentTab.textContent()).toBe("Adesioni");
      const tab = await looks(currentTab);
      expect(tab.underline, "the current tab's underline").not.toBeNull();
      const otherTabs = await tabs.and(page.locator(":not([aria-current])")).all();
      expect(otherTabs.length).toBeGreaterThan(2);
      for (const other of otherTabs) {
        expect((await looks(other)).underline, `the underline of «${await other.textContent()}»`).toBeNull();
      }
    }
  });

  test.each([375, 1280])("at %i px the main menu underlines only the current page's link", async (width) => {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 800 });
    await open(page, "/tavoli-tecnici");
    await forceColours(page, "active");
    const links = page.getByRole("navigation", { name: "Menu principale" }).getByRole("link");
    const current = links.and(page.locator('[aria-current="page"]'));
    expect(await current.textContent()).toBe("Tavoli tecnici");
    expect((await looks(current)).underline, "the current page's underline").not.toBeNull();
    const others = await links.and(page.locator(":not([aria-current])")).all();
    expect(others).toHaveLength(3);
    for (const other of others) expect((await looks(other)).underline, `the underline of «${await other.textContent()}»`).toBeNull();
  });

  test("the referente's Tavoli: the buttons keep their border, and the answer given stands out from the other", async () => {
    const referente = await setup((page) => registerAndConfirm(page));
    const roundTableId = await setup(async (page) => {
      await signedIn(page);
      await approveFromDetail(page, await findRequestId(page, referente));
      const id = await createPublishedTavolo(page, { title: `Contrasto ${Date.now().toString(36)}`, startsAt: "2032-04-14T10:00", endsAt: "2032-04-14T12:00" });
      await inviteAddresses(page, id, [referente.email]);
      return id;
    });
    const page = await browser.newPage();
    await signInWithCode(page, referente.email);
    await open(page, "/area-referente/tavoli");
    const invitation = page.getByRole("listitem").filter({ has: page.locator(`a[href="/tavoli-tecnici/${roundTableId}"]`) });
    await invitation.getByRole("button", { name: "Non partecipo", exact: true }).click();
    const no = invitation.getByRole("button", { name: "Non partecipo", exact: true });
    const yes = invitation.getByRole("button", { name: "Partecipo", exact: true });
    await eventually(() => no.getAttribute("aria-pressed")).toBe("true");
    expect(await yes.getAttribute("aria-pressed")).toBe("false");

    await forceColours(page, "active");
    const given = await looks(no);
    const other = await looks(yes);
    const signOut = await looks(page.getByRole("button", { name: "Esci", exact: true }));
    expect({ given: given.border, other: other.border, signOut: signOut.border }, "a border drawn around each button").toEqual({ given: true, other: true, signOut: true });
    expect(given.paint, "the answer given, filled, against the other").not.toBe(other.paint);
    expect(given.color, "its text against the other's").not.toBe(other.color);
    expect(given.color, "its text against what it is drawn on").not.toBe(given.textBackdrop);
  });
});
