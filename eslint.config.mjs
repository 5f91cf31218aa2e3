// One lint configuration for the whole repository: typescript-eslint with type information,
// Prettier for layout (eslint-config-prettier turns off what it decides), and the dependency
// direction between workspaces, enforced with no-restricted-imports:
//
//   election-core ← ha-state ← atlas-server; hook-consumer (← atlas-model) and
//   http-redirect-middleware ← atlas-server; all may use the private @atlas-ha/shared (bundled
//   at build time: scripts/check-dist-imports.mjs checks no dist imports it); status-client
//   imports nothing else of ours; @atlas-ha/shared and @atlas-ha/atlas-model are leaves;
//   no library imports atlas-server or a test/tool workspace (testkit, local-cluster);
//   only tests, tools, bench and chaos import the testkit.
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

const ours = (names) => names.map((name) => `@atlas-ha/${name}`);
const TEST_ONLY = ours(["testkit", "local-cluster"]);
const APPS = ours(["atlas-server"]);

/** Packages a library's src may import, per workspace folder; anything else of ours is refused. */
const ALLOWED = {
  "packages/shared": [],
  "packages/atlas-model": [],
  // Runs against Apache Atlas itself with no other package installed: shared is bundled in.
  "packages/status-client": ours(["shared"]),
  "packages/election-core": ours(["shared"]),
  "packages/ha-state": ours(["shared", "election-core"]),
  "packages/http-redirect-middleware": ours(["shared"]),
  "packages/hook-consumer": ours(["shared", "atlas-model"]),
};
const EVERY = ours([
  "shared",
  "atlas-model",
  "status-client",
  "election-core",
  "ha-state",
  "http-redirect-middleware",
  "hook-consumer",
  "atlas-server",
  "testkit",
  "local-cluster",
]);

const direction = Object.entries(ALLOWED).map(([dir, allowed]) => ({
  files: [`${dir}/src/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: EVERY.filter((name) => !allowed.includes(name)).map((name) => ({
          name,
          message: `${dir} may import only ${allowed.join(", ") || "nothing of ours"} (eslint.config.mjs: dependency direction)`,
        })),
        patterns: [
          {
            group: [...EVERY.filter((name) => !allowed.includes(name)).map((name) => `${name}/*`)],
            message: `${dir}: dependency direction`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      ".atlas-ha/**",
      ".check/**",
      "**/.vitest-results*.json",
      "**/*.cjs",
      "config/*.d.mts",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Tests and adapters over untyped native modules handle `any` on purpose; the rest of
      // the recommended set stays on.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // An async function without await is how an async interface is implemented (fakes,
      // handlers, stores that are synchronous inside): not a mistake here.
      "@typescript-eslint/require-await": "off",
      // Rejecting with what was caught (unknown) is forwarding, not inventing a non-Error.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // A Koa callback given to http.createServer, a listener that returns a promise: fine.
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false } },
      ],
    },
  },
  {
    // Tests print and compare values of JSON documents they built themselves.
    files: ["**/test/**/*.ts", "**/bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-base-to-string": "off",
      "@typescript-eslint/restrict-template-expressions": "off",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  // Libraries and the server never import a test or tool workspace.
  {
    files: ["packages/*/src/**/*.ts", "apps/*/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [...TEST_ONLY, ...APPS].map((name) => ({
            name,
            message: "src never imports atlas-server, the testkit or the local cluster",
          })),
        },
      ],
    },
  },
  ...direction,
  prettier,
);
