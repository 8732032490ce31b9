import zlib from "node:zlib";

export type PageWeight = {
  path: string;
  /** The HTML document, gzip. */
  htmlGzipBytes: number;
  /** Each /build/*.js file the page loads (module preloads, imports of the inline module script), gzip each. */
  linkedJsGzipBytes: number;
  linkedJsFiles: number;
  /** Inline <script> content (window.__remixContext with the loader data, the route imports), gzip. */
  inlineJsGzipBytes: number;
  /** All the JavaScript a browser receives for the page: linked plus inline. */
  jsGzipBytes: number;
  cssGzipBytes: number;
  cssFiles: number;
  /** Data the page fetches once hydrated (not JavaScript, not needed without it), gzip; null when absent. */
  dataAfterHydration: { url: string; gzipBytes: number; rawBytes: number } | null;
  /** Uncompressed sizes, for reference. */
  rawBytes: { html: number; linkedJs: number; inlineJs: number; css: number };
};

const gzipSize = (data: string | Buffer) => zlib.gzipSync(data, { level: 9 }).length;

/** Fetches the page and every JS and CSS file it links; sizes are gzip (level 9) of each file. */
export async function measurePageWeight(baseUrl: string, path: string, { dataUrl }: { dataUrl?: string } = {}): Promise<PageWeight> {
  const response = await fetch(`${baseUrl}${path}`);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  const html = await response.text();

  const jsUrls = new Set<string>();
  for (const m of html.matchAll(/["'](\/build\/[^"']+\.js)["']/g)) jsUrls.add(m[1]);
  const cssUrls = new Set<string>();
  for (const m of html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/g)) {
    const href = /href="([^"]+)"/.exec(m[0])?.[1];
    if (href) cssUrls.add(href);
  }
  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join("\n");

  const fetchAll = async (urls: Set<string>) =>
    Promise.all(
      [...urls].map(async (url) => {
        const r = await fetch(new URL(url, baseUrl));
        if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
        return Buffer.from(await r.arrayBuffer());
      }),
    );
  const js = await fetchAll(jsUrls);
  const css = await fetchAll(cssUrls);
  const linkedJsGzipBytes = js.reduce((sum, b) => sum + gzipSize(b), 0);
  let dataAfterHydration: PageWeight["dataAfterHydration"] = null;
  if (dataUrl) {
    const r = await fetch(new URL(dataUrl, baseUrl));
    if (r.status === 200) {
      const body = Buffer.from(await r.arrayBuffer());
      dataAfterHydration = { url: dataUrl, gzipBytes: gzipSize(body), rawBytes: body.length };
    }
  }
  const inlineJsGzipBytes = gzipSize(inline);
  return {
    path,
    htmlGzipBytes: gzipSize(html),
    linkedJsGzipBytes,
    linkedJsFiles: js.length,
    inlineJsGzipBytes,
    jsGzipBytes: linkedJsGzipBytes + inlineJsGzipBytes,
    cssGzipBytes: css.reduce((sum, b) => sum + gzipSize(b), 0),
    cssFiles: css.length,
    dataAfterHydration,
    rawBytes: {
      html: Buffer.byteLength(html),
      linkedJs: js.reduce((sum, b) => sum + b.length, 0),
      inlineJs: Buffer.byteLength(inline),
      css: css.reduce((sum, b) => sum + b.length, 0),
    },
  };
}

/** The registration form works without JavaScript: a plain POST form with the comuni as <option>s. */
export async function worksWithoutJavaScript(baseUrl: string, { comuni }: { comuni: number }) {
  const html = await (await fetch(`${baseUrl}/adesione`)).text();
  const form = /<form\b[^>]*method="post"[^>]*>/i.test(html);
  const select = /<select\b[^>]*name="municipalityCode"/.exec(html);
  const options = select ? (html.slice(select.index).split("</select>")[0].match(/<option\b[^>]*value="\d{6}"/g) ?? []).length : 0;
  return { form, comuneOptions: options, ok: form && options === comuni };
}
