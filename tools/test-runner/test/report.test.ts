/**
 * What `npm test` counts (scripts/test-report.mjs): a test that did not pass is never counted
 * as passed or as an allowed skip, and each one is named in the "not passed" list. Reports
 * are written as vitest's JSON reporter and suite-errors-reporter.mjs write them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  failedTasks,
  readReport,
  summaries,
  tallyWorkspace,
} from "../../../scripts/test-report.mjs";

interface Assertion {
  title: string;
  status: string;
  ancestorTitles?: string[];
  failureMessages?: string[];
  duration?: number;
}
interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: Assertion[];
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "test-runner-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const ALLOWED = [
  { file: "pkg/test/optional.test.ts", titles: ["samples"], reason: "no samples on a fresh clone" },
];

/** Writes a JSON report (and the suite-errors file when given) and reads it back. */
function read(results: FileResult[], errors?: { suites?: object; unhandled?: string[] }) {
  const report = join(root, "report.json");
  const errorsFile = join(root, "errors.json");
  writeFileSync(report, JSON.stringify({ testResults: results }));
  if (errors) writeFileSync(errorsFile, JSON.stringify(errors));
  else rmSync(errorsFile, { force: true });
  return readReport(report, errorsFile, { root, allowedSkips: ALLOWED });
}
const file = (path: string, status: string, assertionResults: Assertion[], message?: string) => ({
  name: join(root, path),
  status,
  message,
  assertionResults,
});

describe("npm test's counts", () => {
  it("counts passed and failed tests, and names each failure with its time and first line", () => {
    const { counts, problems } = read([
      file("pkg/test/a.test.ts", "failed", [
        { title: "works", status: "passed" },
        {
          title: "breaks",
          ancestorTitles: ["group"],
          status: "failed",
          duration: 1500,
          failureMessages: ["AssertionError: expected 1 to be 2\n    at stack"],
        },
      ]),
    ]);
    expect(counts).toEqual({ passed: 1, failed: 1, skipped: 0, tests: 2 });
    expect(problems).toEqual([
      "pkg/test/a.test.ts > group > breaks: failed after 1.5 s: AssertionError: expected 1 to be 2",
    ]);
  });

  it("counts a skipped or todo test as failed unless the allow-list names it", () => {
    const { counts, problems, allowed } = read([
      file("pkg/test/optional.test.ts", "passed", [
        { title: "one sample", ancestorTitles: ["samples"], status: "skipped" },
      ]),
      file("pkg/test/b.test.ts", "passed", [
        { title: "later", status: "todo" },
        { title: "samples", status: "skipped" },
      ]),
    ]);
    expect(counts).toEqual({ passed: 0, failed: 2, skipped: 1, tests: 3 });
    expect(allowed).toEqual([ALLOWED[0]]);
    expect(problems).toEqual([
      "pkg/test/b.test.ts > later: todo, and not on the allow-list (scripts/allowed-skips.mjs)",
      "pkg/test/b.test.ts > samples: skipped, and not on the allow-list (scripts/allowed-skips.mjs)",
    ]);
  });

  it("counts the tests of a suite whose beforeAll failed as failed, with the hook's error", () => {
    const { counts, problems } = read(
      [
        file("pkg/test/c.test.ts", "failed", [
          { title: "one", status: "skipped" },
          { title: "two", status: "skipped" },
        ]),
      ],
      { suites: { [join(root, "pkg/test/c.test.ts")]: ["cluster: ZooKeeper did not start"] } },
    );
    expect(counts).toEqual({ passed: 0, failed: 2, skipped: 0, tests: 2 });
    expect(problems).toEqual([
      "pkg/test/c.test.ts > one: not run, its suite failed (cluster: ZooKeeper did not start)",
      "pkg/test/c.test.ts > two: not run, its suite failed (cluster: ZooKeeper did not start)",
    ]);
  });

  it("counts a file that failed to load, or after its tests passed, as one failure", () => {
    const { counts, problems } = read([
      file("pkg/test/d.test.ts", "failed", [], "Cannot find module './gone.js'"),
      file("pkg/test/e.test.ts", "failed", [{ title: "fine", status: "passed" }]),
    ]);
    expect(counts).toEqual({ passed: 1, failed: 2, skipped: 0, tests: 1 });
    expect(problems).toEqual([
      "pkg/test/d.test.ts: the file failed: Cannot find module './gone.js'",
      "pkg/test/e.test.ts: the file failed",
    ]);
  });

  it("hands over the errors caught outside any test, and reads a report without its errors file", () => {
    expect(
      read([file("pkg/test/f.test.ts", "passed", [{ title: "ok", status: "passed" }])], {
        unhandled: ["Error: left behind"],
      }).unhandled,
    ).toEqual(["Error: left behind"]);
    const alone = read([file("pkg/test/f.test.ts", "passed", [{ title: "ok", status: "passed" }])]);
    expect(alone.counts.passed).toBe(1);
    expect(alone.unhandled).toEqual([]);
  });

  it("refuses a file that is not a vitest report", () => {
    const report = join(root, "not-a-report.json");
    writeFileSync(report, JSON.stringify({ numTotalTests: 3 }));
    expect(() => readReport(report, join(root, "none.json"), { root, allowedSkips: [] })).toThrow(
      "no testResults list",
    );
    writeFileSync(report, JSON.stringify({ testResults: [{ status: "passed" }] }));
    expect(() => readReport(report, join(root, "none.json"), { root, allowedSkips: [] })).toThrow(
      "no name or no assertionResults",
    );
  });
});

describe("npm test's tally of a workspace over both steps", () => {
  /** A step of workspace "@x/pkg": its report (written when `results` is given) and what turbo said. */
  function phase(
    label: string,
    options: { results?: FileResult[] | string; expected?: boolean; exit?: number } = {},
  ) {
    const slug = label.trim().replace(/\W/g, "") || "parallel";
    const file = join(root, `report-${slug}.json`);
    if (typeof options.results === "string") writeFileSync(file, options.results);
    else if (options.results) writeFileSync(file, JSON.stringify({ testResults: options.results }));
    return {
      label,
      file,
      errorsFile: join(root, `errors-${slug}.json`),
      expected: options.expected ?? true,
      exit: options.exit,
    };
  }
  const passing = () => [file("pkg/test/a.test.ts", "passed", [{ title: "ok", status: "passed" }])];
  const tally = (phases: ReturnType<typeof phase>[], hasTests = true) =>
    tallyWorkspace({ name: "@x/pkg", hasTests, phases }, { root, allowedSkips: ALLOWED });

  it("sums the steps, one row each", () => {
    const t = tally([
      phase("", { results: passing() }),
      phase(" (serial)", {
        results: [file("pkg/test/b.test.ts", "failed", [{ title: "no", status: "failed" }])],
      }),
    ]);
    expect([t.passed, t.failed, t.skipped]).toEqual([1, 1, 0]);
    expect(t.rows).toEqual([
      ["@x/pkg", 1, 0, 0],
      ["@x/pkg (serial)", 0, 1, 0],
    ]);
    expect(t.problems).toEqual(["pkg/test/b.test.ts > no: failed"]);
  });

  it("counts a report the step should have written and did not as a failure, and no other missing one", () => {
    const t = tally([phase("", { results: passing() }), phase(" (serial)")]);
    expect(t.failed).toBe(1);
    expect(t.rows[1]).toEqual(["@x/pkg (serial)", 0, "no report", 0]);
    expect(t.problems).toEqual(["@x/pkg (serial): no test report (report-serial.json)"]);
    const filtered = tally([
      phase("", { results: passing() }),
      phase(" (serial)", { expected: false }),
    ]);
    expect([filtered.failed, filtered.rows.length, filtered.problems]).toEqual([0, 1, []]);
  });

  it("counts an unreadable report as one failure", () => {
    const t = tally([phase("", { results: "{ not json" })]);
    expect(t.failed).toBe(1);
    expect(t.rows).toEqual([["@x/pkg", 0, "bad report", 0]]);
    expect(t.problems[0]).toMatch(/^@x\/pkg: unreadable test report report-parallel\.json: /);
  });

  it("counts each error caught outside any test, though every test passed", () => {
    const p = phase("", { results: passing() });
    writeFileSync(p.errorsFile, JSON.stringify({ unhandled: ["Error: one", "Error: two"] }));
    const t = tally([p]);
    expect([t.passed, t.failed]).toEqual([1, 2]);
    expect(t.problems).toEqual([
      "@x/pkg: an error outside any test: Error: one",
      "@x/pkg: an error outside any test: Error: two",
    ]);
  });

  it("counts a vitest that exited with an error its report does not explain once, and not on top of failed tests", () => {
    const t = tally([phase("", { results: passing(), exit: 1 })]);
    expect([t.passed, t.failed]).toEqual([1, 1]);
    expect(t.problems).toEqual([
      "@x/pkg: vitest exited with code 1 though its report has no failure (its output above says why)",
    ]);
    const explained = tally([
      phase("", {
        results: [file("pkg/test/b.test.ts", "failed", [{ title: "no", status: "failed" }])],
        exit: 1,
      }),
    ]);
    expect(explained.failed).toBe(1);
  });

  it("counts a workspace with test files whose reports hold no test as a failure", () => {
    const empty = () => phase("", { results: [] });
    const t = tally([empty()]);
    expect(t.failed).toBe(1);
    expect(t.problems).toEqual(["@x/pkg: has test files but reported no test"]);
    expect(tally([empty()], false).failed).toBe(0);
  });
});

describe("npm test's reading of turbo's run summaries", () => {
  it("names the workspaces whose vitest exited with an error, from the summaries a step added", () => {
    const runs = join(root, "runs");
    const summary = (tasks: { package: string; code: number | null }[]) => ({
      tasks: tasks.map((t) => ({ package: t.package, execution: { exitCode: t.code } })),
    });
    expect(summaries(runs).size).toBe(0); // no folder yet
    mkdirSync(runs);
    writeFileSync(
      join(runs, "old.json"),
      JSON.stringify(summary([{ package: "@x/old", code: 1 }])),
    );
    const before = summaries(runs);
    writeFileSync(
      join(runs, "new.json"),
      JSON.stringify(
        summary([
          { package: "@x/ok", code: 0 },
          { package: "@x/broken", code: 1 },
          { package: "@x/not-run", code: null },
        ]),
      ),
    );
    writeFileSync(join(runs, "garbled.json"), "{");
    expect(failedTasks(runs, before)).toEqual(new Map([["@x/broken", 1]]));
  });
});
