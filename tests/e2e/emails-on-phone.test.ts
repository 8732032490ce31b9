// Every email as a phone's mail app shows it: most referenti read the portal's emails on a phone.
// Each template, rendered as the worker renders it, is opened in a 360 px wide page.
import { describe, expect, test } from "vitest";
import { emailTemplates } from "#emails/index";
import { renderEmail } from "~/utils/render-email.server";
import { useBrowser } from "./support";

const browser = useBrowser();

const previewProps = (name: string) =>
  (emailTemplates[name as keyof typeof emailTemplates].default as unknown as { PreviewProps: Record<string, unknown> }).PreviewProps;

/** The previews' links as long as real ones: a portal's address and a 43-character token. */
const withRealisticLinks = (props: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(props).map(([key, value]) =>
      key.endsWith("Url") && key !== "appUrl" && typeof value === "string"
        ? [key, value.replace("http://localhost:3000", "https://coordinamento-sai.ancisicilia.it") + "-Zq3Xr9bT1kLmNoPq4RsTuVwXyZ0aBcDeFgHiJkLmNo"]
        : [key, value],
    ),
  );

describe("emails on a phone", () => {
  test.each(Object.keys(emailTemplates))("%s fits a 360 px screen, asks for the device's width, and its links can be read", async (name) => {
    const { html } = await renderEmail(name, withRealisticLinks(previewProps(name)));
    const page = await browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.setContent(html);
    expect(await page.evaluate(() => document.querySelector('meta[name="viewport"]')?.getAttribute("content"))).toBe("width=device-width, initial-scale=1");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // Links in the text (not the buttons) in the portal's blue, 5.6:1 on white (react-email's default is 4:1).
    const lowContrast = await page.evaluate(() =>
      [...document.querySelectorAll("a")]
        .filter((a) => getComputedStyle(a).backgroundColor === "rgba(0, 0, 0, 0)" && getComputedStyle(a).color === "rgb(6, 125, 247)")
        .map((a) => a.textContent),
    );
    expect(lowContrast).toEqual([]);
    await page.close();
  });
});
