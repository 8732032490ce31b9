// The URL of each route file, as Remix v2's flat routes build it (no application code imported, so
// the end-to-end tests can use it too).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const routesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "app", "routes");

/**
 * The URL pattern of a flat-routes file name (Remix v2): dots are slashes, `$x` a parameter,
 * `_index` the index, `$` alone the splat (`*`), a trailing `_` opts out of the parent's layout, `[.]` a literal dot, a leading
 * `_` segment is pathless.
 */
export function routePathOf(id: string) {
  const segments: string[] = [];
  let current = "";
  let escaped = false;
  for (const ch of id) {
    if (ch === "[") escaped = true;
    else if (ch === "]") escaped = false;
    else if (ch === "." && !escaped) {
      segments.push(current);
      current = "";
    } else current += ch;
  }
  segments.push(current);
  const parts = segments
    .filter((s) => s !== "_index" && !(s.startsWith("_") && s !== "_"))
    .map((s) => (s.endsWith("_") ? s.slice(0, -1) : s))
    .map((s) => (s === "$" ? "*" : s.startsWith("$") ? `:${s.slice(1)}` : s));
  return `/${parts.join("/")}`.replace(/\/$/, "") || "/";
}

/** The route files of app/routes: id (file name without extension), URL pattern, and whether it draws a page. */
export function listRouteFiles() {
  return fs
    .readdirSync(routesDir)
    .filter((f) => /\.tsx?$/.test(f))
    .map((file) => {
      const id = file.replace(/\.tsx?$/, "");
      const source = fs.readFileSync(path.join(routesDir, file), "utf8");
      return {
        id,
        path: routePathOf(id),
        /** A page (a component), not a resource route (a download, a feed, a redirect only). */
        isPage: /export default function/.test(source),
        hasLoader: /export (async )?function loader/.test(source),
        hasAction: /export (async )?function action/.test(source),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}
