/** @type {import('@remix-run/dev').AppConfig} */
export default {
  // Classic Remix compiler (design card). The server bundle is ESM and is
  // loaded by server/index.ts, which owns Express and Socket.io.
  ignoredRouteFiles: ['**/.*', '**/*.test.{ts,tsx}'],
  serverModuleFormat: 'esm',
  serverPlatform: 'node',
  serverBuildPath: 'build/server/index.js',
  assetsBuildDirectory: 'public/build',
  publicPath: '/build/',
  // Server-only packages stay external to the bundle and load from node_modules.
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
  },
}
