/**
 * A census of Atlas's v2 API as the official Python client (`apache-atlas` 0.0.16) defines
 * it: every `API` constant of its clients (entity, typedef, discovery, glossary, lineage,
 * relationship, admin) is called once with its own method and path — placeholders filled
 * with values that name nothing — against a real server (standalone, SQLite). An endpoint is
 * served when a route answers it (any status but 404 `ATLAS-404-00-F01` "no resource at this
 * path" and 405); none may answer 500. The server README states the count; this test keeps
 * it true.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPythonClient } from "../support/python-client.js";
import { startStandalone, type Standalone } from "../support/standalone.js";

const SCRIPT = String.raw`
import inspect, json, os, re
import requests
from apache_atlas.client import admin, discovery, entity, glossary, lineage, relationship, typedef
from apache_atlas.utils import API

GUID = "00000000-0000-4000-8000-000000000000"
base = os.environ["ATLAS_URL"].rstrip("/")
out = []
for module in (entity, typedef, discovery, glossary, lineage, relationship, admin):
    family = module.__name__.rsplit(".", 1)[1]
    for cname, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__:
            continue
        for name, api in vars(cls).items():
            if not isinstance(api, API):
                continue
            method = api.method.value
            path = re.sub(r"\{(\w*)\}|%s", lambda m: "DataSet" if "type" in (m.group(1) or "") else GUID, api.path)
            path = path.rstrip("/")
            params = {}
            if re.search(r"uniqueAttribute/type$", path):
                path += "/DataSet"
                params["attr:qualifiedName"] = "census@nowhere"
            elif re.search(r"/(guid|lineage)$", path) or (method != "POST" and re.search(r"glossary/(term|category)$", path)):
                path += "/" + GUID
            elif re.search(r"typedef/name$", path):
                path += "/census_no_such_type"
            body = None if method in ("GET", "DELETE") else "{}"
            r = requests.request(method, base + "/" + path, params=params, data=body, auth=("admin", "admin"),
                                 headers={"Content-Type": "application/json", "Accept": "application/json"},
                                 allow_redirects=False, timeout=60)
            try:
                code = r.json().get("errorCode") if r.headers.get("content-type", "").startswith("application/json") and isinstance(r.json(), dict) else None
            except ValueError:
                code = None
            out.append({"family": family, "name": name, "method": method, "path": path,
                        "status": r.status_code, "errorCode": code})
print(json.dumps(out))
`;

type Call = {
  family: string;
  name: string;
  method: string;
  path: string;
  status: number;
  errorCode: string | null;
};

describe("the Python client's endpoints, served or not", () => {
  let server: Standalone;
  beforeAll(async () => {
    server = await startStandalone("python-census");
  }, 120_000);
  afterAll(() => server?.stop());

  it("answers every endpoint the client defines without a 500, and serves as many as the README says", async () => {
    const calls = (await runPythonClient(SCRIPT, server.url)) as Call[];
    expect(calls).toHaveLength(102); // the client's own count: a new client version is noticed
    expect(calls.filter((c) => c.status >= 500)).toEqual([]);
    const served = calls.filter(
      (c) => !(c.status === 404 && c.errorCode === "ATLAS-404-00-F01") && c.status !== 405,
    );
    const missing = calls.filter((c) => !served.includes(c)).map((c) => `${c.method} ${c.path}`);
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    const stated =
      /Of the 102 endpoints the official Python client `apache-atlas` 0\.0\.16 defines, (?:all )?(\d+) are served/.exec(
        readme,
      );
    expect(stated, "the README states the count").not.toBeNull();
    expect({ served: served.length, missing }).toEqual({ served: Number(stated![1]), missing });
  }, 300_000);
});
