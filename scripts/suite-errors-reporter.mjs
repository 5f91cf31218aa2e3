// A vitest reporter that keeps what vitest's JSON report drops:
//   - the error of a failing suite hook (a beforeAll or afterAll) or of a test file that failed
//     to load: the JSON report marks such a file failed and its tests skipped, with no message;
//   - the errors vitest caught outside any test (an unhandled rejection, a worker that would not
//     stop): they make vitest exit 1 while every test in the JSON report passed.
// scripts/test.mjs reads the file written here to count them and say why in its "not passed" list.
//
// Written to the workspace's directory (vitest runs there), one file per phase of
// scripts/test.mjs, named by ATLAS_HA_TEST_PHASE:
//   { "suites": { "<absolute test file>": ["<message>", …] }, "unhandled": ["<message>", …] }
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The file this reporter writes for a phase of scripts/test.mjs. */
export const suiteErrorsFile = (phase) =>
  phase === "serial" ? ".vitest-suite-errors-serial.json" : ".vitest-suite-errors.json";

/** The first line of `text`, cut to 300 characters (scripts/test.mjs's "not passed" list too). */
export const firstLine = (text) => String(text).split("\n")[0].slice(0, 300);

/** The first line of an error's message, with its name, cut to 300 characters. */
function describe(error) {
  const name = error?.name && error.name !== "Error" ? `${error.name}: ` : "";
  return firstLine(`${name}${error?.message ?? error}`);
}

export default class SuiteErrorsReporter {
  #errors = {};

  #add(moduleId, where, errors) {
    if (errors.length === 0) return;
    (this.#errors[moduleId] ??= []).push(...errors.map((e) => `${where}${describe(e)}`));
  }

  onTestSuiteResult(suite) {
    this.#add(suite.module.moduleId, `${suite.fullName}: `, suite.errors());
  }

  onTestModuleEnd(module) {
    this.#add(module.moduleId, "", module.errors());
  }

  onTestRunEnd(_modules, unhandledErrors = []) {
    const written = { suites: this.#errors, unhandled: unhandledErrors.map(describe) };
    writeFileSync(
      join(process.cwd(), suiteErrorsFile(process.env.ATLAS_HA_TEST_PHASE)),
      `${JSON.stringify(written, null, 2)}\n`,
    );
  }
}
