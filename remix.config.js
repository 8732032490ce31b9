/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  // These ESM-only / browser-facing packages must be bundled so the classic compiler can tree-shake them.
  serverDependenciesToBundle: [/^remix-utils.*/],
  future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true },
  browserNodeBuiltinsPolyfill: { modules: { crypto: true } },
};
