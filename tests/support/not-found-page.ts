import { expect } from "vitest";

/** A download that cannot be served answers with a 404 page of the portal: its frame, the title, the way back. */
export async function expectPortalNotFoundPage(response: Response, page: { title: string; back: string }) {
  await expectPortalErrorPage(response, { status: 404, ...page });
}

/** A download refused with another status (410 for content deleted for good): the same page of the portal. */
export async function expectPortalErrorPage(response: Response, { status, title, back }: { status: number; title: string; back: string }) {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("Cache-Control")).toBe("private, no-store");
  const page = await response.text();
  expect(page).toMatch(/^<!DOCTYPE html><html lang="it">/);
  // A download of an area is titled as the area's pages are.
  const area = back.startsWith("/admin") ? " - Area coordinatori" : back.startsWith("/area-referente") ? " - Area referente" : "";
  expect(page).toContain(`<title>${title}${area} - Coordinamento SAI</title>`);
  expect(page).toContain('<header class="it-header-wrapper">');
  expect(page.match(/<link rel="stylesheet"/g)).toHaveLength(2);
  expect(page).toContain(`<h1>${title}</h1>`);
  expect(page).toContain(`<a href="${back}">`);
  expect(page).toContain('<footer class="it-footer">');
}
