// The one tsup base of every workspace (each tsup.config.ts says only what differs).
//
// - library(): a published package — ESM and CJS side by side, each with its own declarations
//   (attw checks both), Node 20; the private @atlas-ha/shared is bundled in, code and types,
//   so no published package depends on it at run time.
// - tool(): a private workspace (testkit, shared, the local cluster, chaos) — ESM only.

const common = { sourcemap: true, clean: true, target: "node20" };

/** @param {import("tsup").Options} [options] */
export function library(options = {}) {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    noExternal: ["@atlas-ha/shared"],
    dts: { resolve: ["@atlas-ha/shared"] },
    ...common,
    ...options,
  };
}

/** @param {import("tsup").Options} [options] */
export function tool(options = {}) {
  return { entry: ["src/index.ts"], format: ["esm"], dts: true, ...common, ...options };
}
