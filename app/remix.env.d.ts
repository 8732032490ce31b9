/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    cspNonce: string;
    clientIp: string;
    /** Rendering a page for the public page cache: nothing personal in it (public-page-cache.server.ts). */
    publicPageCache?: boolean;
  }
}
