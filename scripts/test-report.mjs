// What scripts/test.mjs counts, as functions of files: a workspace's vitest JSON report (with
// the file suite-errors-reporter.mjs wrote beside it) → counts and the names of the tests that
// did not pass; a workspace's reports of both steps → its rows of the table and what failed
// beyond its tests; turbo's run summaries → the workspaces whose vitest exited with an error.
// Plain Node, no dependency (it runs before `npm ci` has). Tested in tools/test-runner.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { firstLine } from "./suite-errors-reporter.mjs";

function allowedSkip(allowedSkips, file, titles) {
  return allowedSkips.find(
    (entry) =>
      entry.file === file &&
      entry.titles.length <= titles.length &&
      entry.titles.every((t, i) => titles[i] === t),
  );
}

/**
 * How a test failed, for the "not passed" list (the only part of a long CI log that may be
 * kept): its time and the first line of its first failure, cut to 300 characters.
 */
function failureSummary(assertion) {
  const seconds =
    typeof assertion.duration === "number"
      ? ` after ${(assertion.duration / 1000).toFixed(1)} s`
      : "";
  const first = firstLine(assertion.failureMessages?.[0] ?? "");
  return `${seconds}${first ? `: ${first}` : ""}`;
}

/**
 * One vitest JSON report → counts and the names of the tests that did not pass, with the
 * errors caught outside any test (`unhandled`, not yet in the counts) and the allow-list
 * entries that let a test skip. Test files are named relative to `root`. Throws when the
 * report is not a vitest JSON report.
 *
 * @param {string} file the JSON report
 * @param {string} errorsFile what suite-errors-reporter.mjs wrote for the same run (may be missing)
 * @param {{ root: string, allowedSkips: { file: string, titles: string[] }[] }} options
 */
export function readReport(file, errorsFile, { root, allowedSkips }) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  // Why a suite failed, and the errors caught outside any test, from suite-errors-reporter.mjs
  // (vitest's JSON report says neither).
  let suiteErrors = {};
  let unhandled = [];
  try {
    const written = JSON.parse(readFileSync(errorsFile, "utf8"));
    suiteErrors = written.suites ?? {};
    unhandled = Array.isArray(written.unhandled) ? written.unhandled : [];
  } catch {
    // no such file (vitest crashed before the end of the run): the reasons stay unknown
  }
  if (!report || !Array.isArray(report.testResults)) throw new Error("no testResults list");
  const counts = { passed: 0, failed: 0, skipped: 0, tests: 0 };
  const problems = [];
  const allowed = [];
  for (const result of report.testResults) {
    if (!result || typeof result.name !== "string" || !Array.isArray(result.assertionResults)) {
      throw new Error("a test file's entry has no name or no assertionResults");
    }
    const path = relative(root, result.name);
    const fileFailed = result.status === "failed";
    const why = [...new Set([result.message, ...(suiteErrors[result.name] ?? [])])]
      .filter(Boolean)
      .join("; ");
    const anyTestFailed = result.assertionResults.some((a) => a.status === "failed");
    let fileFailures = 0;
    for (const a of result.assertionResults) {
      counts.tests += 1;
      const name = `${path} > ${[...(a.ancestorTitles ?? []), a.title].join(" > ")}`;
      if (a.status === "passed") {
        counts.passed += 1;
      } else if (a.status === "failed") {
        counts.failed += 1;
        fileFailures += 1;
        problems.push(`${name}: failed${failureSummary(a)}`);
      } else if (fileFailed && !anyTestFailed) {
        // The file failed without a failing test: a suite hook (beforeAll) failed and vitest
        // reports the tests it never ran as skipped.
        counts.failed += 1;
        fileFailures += 1;
        problems.push(`${name}: not run, its suite failed${why ? ` (${why})` : ""}`);
      } else {
        // skipped, pending, todo
        const entry = allowedSkip(allowedSkips, path, [...(a.ancestorTitles ?? []), a.title]);
        if (entry) {
          counts.skipped += 1;
          allowed.push(entry);
        } else {
          counts.failed += 1;
          fileFailures += 1;
          problems.push(
            `${name}: ${a.status}, and not on the allow-list (scripts/allowed-skips.mjs)`,
          );
        }
      }
    }
    if (fileFailed && fileFailures === 0) {
      // It failed to load, or failed after its tests (an afterAll): one failure for the file.
      counts.failed += 1;
      problems.push(`${path}: the file failed${why ? `: ${why}` : ""}`);
    }
  }
  return { counts, problems, allowed, unhandled };
}

/**
 * One workspace's reports, one per step (`phases`), → its rows of the table, its counts, and
 * the "not passed" lines, under npm test's rules beyond readReport's: a report the step should
 * have written (`expected`) that is missing ("no report") or unreadable ("bad report") is a
 * failure; each error vitest caught outside any test is one; a vitest that exited with an error
 * (`exit`, from turbo's summary) its report does not explain is one; and a workspace with test
 * files (`hasTests`) whose readable reports hold no test is one.
 *
 * @param {{ name: string, hasTests: boolean, phases: { label: string, file: string, errorsFile: string, expected: boolean, exit?: number }[] }} workspace
 * @param {{ root: string, allowedSkips: { file: string, titles: string[] }[] }} options
 */
export function tallyWorkspace({ name, hasTests, phases }, options) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const rows = [];
  const problems = [];
  const allowed = [];
  let tests = 0;
  let reports = 0;
  for (const { label, file, errorsFile, expected, exit } of phases) {
    const row = `${name}${label}`;
    if (!existsSync(file)) {
      if (expected) {
        // It has tests but wrote no report: it crashed, or turbo never ran it.
        total.failed += 1;
        rows.push([row, 0, "no report", 0]);
        problems.push(`${row}: no test report (${relative(options.root, file)})`);
      }
      continue;
    }
    let read;
    try {
      read = readReport(file, errorsFile, options);
    } catch (error) {
      total.failed += 1;
      rows.push([row, 0, "bad report", 0]);
      problems.push(
        `${row}: unreadable test report ${relative(options.root, file)}: ${error instanceof Error ? error.message : error}`,
      );
      continue;
    }
    reports += 1;
    const { counts, unhandled } = read;
    // Errors vitest caught outside any test: each one a failure, though every test passed.
    counts.failed += unhandled.length;
    for (const error of unhandled) problems.push(`${row}: an error outside any test: ${error}`);
    // vitest exited with an error and nothing above says why: one failure, pointing at its output.
    if (exit !== undefined && counts.failed === 0) {
      counts.failed += 1;
      problems.push(
        `${row}: vitest exited with code ${exit} though its report has no failure (its output above says why)`,
      );
    }
    tests += counts.tests;
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    problems.push(...read.problems);
    allowed.push(...read.allowed);
    rows.push([row, counts.passed, counts.failed, counts.skipped]);
  }
  if (reports > 0 && tests === 0 && hasTests) {
    total.failed += 1;
    problems.push(`${name}: has test files but reported no test`);
  }
  return { ...total, rows, problems, allowed };
}

/** The run summaries turbo has written so far to `runsDir` (file names). */
export function summaries(runsDir) {
  return new Set(existsSync(runsDir) ? readdirSync(runsDir) : []);
}

/**
 * The turbo tasks of a step that exited with another code than 0, from the run summary turbo
 * writes with --summarize (`<runsDir>/<id>.json`, the file that step added to those in
 * `before`): Map of package name → exit code. Empty when there is no summary to read.
 */
export function failedTasks(runsDir, before) {
  const failed = new Map();
  for (const file of summaries(runsDir)) {
    if (before.has(file) || !file.endsWith(".json")) continue;
    try {
      const summary = JSON.parse(readFileSync(join(runsDir, file), "utf8"));
      for (const task of summary.tasks ?? []) {
        const code = task.execution?.exitCode;
        if (typeof code === "number" && code !== 0) failed.set(task.package, code);
      }
    } catch {
      // an unreadable summary: the generic count at the end still catches the exit code
    }
  }
  return failed;
}
