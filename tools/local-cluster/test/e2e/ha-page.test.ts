/**
 * The live HA page as an operator sees it (docs/operations.md#the-ha-page): a real headless
 * Chromium (Debian's `chromium`, driven by playwright-core; no browser is downloaded) opens
 * `/ha` on a running local cluster — one ZooKeeper, Kafka, three server processes on SQLite,
 * each behind its own ZooKeeper proxy. The test kills the active, then cuts the next active
 * (the page's own instance) from ZooKeeper; each time the page must name the new active no
 * later than 1 s after the first status endpoint does, and keep showing the instance that is
 * gone. Last, the page's own instance is killed: the page says so and keeps its last picture. Screenshots go to `.atlas-ha/screenshots/`; the assertions read the DOM.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { encodeHookMessage } from "@atlas-ha/hook-consumer";
import { stateDir, waitFor, type AtlasInstance } from "@atlas-ha/testkit";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLocalCluster } from "../../src/vitest.js";

/** The page must follow the status endpoints within this. */
const WITHIN_MS = 1000;

/** Debian's chromium (CI installs it in .ci/run); `CHROMIUM_PATH` overrides. Missing is a failure, not a skip. */
function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error(
    "chromium is not installed: apt-get install chromium (.ci/run installs it), or set CHROMIUM_PATH",
  );
}

const screenshots = join(stateDir(), "screenshots");

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `ha-page-${name}.png`), fullPage: true });
}

function hookCreate(name: string): string {
  const body = {
    type: "ENTITY_CREATE_V2",
    user: "hook",
    entities: {
      entities: [
        {
          typeName: "hive_db",
          guid: "-1",
          attributes: { qualifiedName: `${name}@hooks`, name, clusterName: "hooks" },
        },
      ],
      referredEntities: {},
    },
  };
  return encodeHookMessage(body, { compression: "NONE" })[0]!;
}

/** The little of the DOM the test reads (this workspace compiles without the DOM library). */
interface Node {
  getAttribute(name: string): string | null;
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
}
interface Doc {
  getElementById(id: string): Node;
  querySelectorAll(selector: string): ArrayLike<Node>;
  body: { classList: { contains(name: string): boolean } };
}

/** What the page shows, read from its DOM. */
async function shown(page: Page) {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: Doc }).document;
    const cells = (tr: Node) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "");
    return {
      verdict: doc.getElementById("verdict").getAttribute("data-verdict"),
      verdictText: doc.getElementById("verdict").textContent ?? "",
      active: doc.getElementById("active").getAttribute("data-url"),
      servedBy: doc.getElementById("served-by").textContent ?? "",
      stale: doc.body.classList.contains("stale"),
      staleText: doc.getElementById("stale").textContent ?? "",
      rows: Array.from(doc.querySelectorAll("#members tbody tr"), (tr) => ({
        url: tr.getAttribute("data-url"),
        state: tr.getAttribute("data-state"),
        cells: cells(tr),
      })),
      failovers: Array.from(doc.querySelectorAll("#failovers tbody tr"), cells),
    };
  });
}

/**
 * Polls the status endpoints of `instances` and the page in one loop until both name a new
 * ACTIVE (not `former`); returns which, and when each first did.
 */
async function race(page: Page, instances: AtlasInstance[], former: string) {
  let statusAt: number | undefined;
  let statusSaw: string | undefined;
  let pageAt: number | undefined;
  let pageSaw: string | undefined;
  const deadline = performance.now() + 60_000;
  while (statusAt === undefined || pageAt === undefined) {
    if (performance.now() > deadline)
      throw new Error(
        `no new active within 60 s (status endpoints: ${statusSaw ?? "none"}, page: ${pageSaw ?? "none"})`,
      );
    const states = await Promise.all(instances.map((i) => i.status(500)));
    const now = performance.now();
    const k = states.findIndex((s, i) => s === "ACTIVE" && instances[i]!.url !== former);
    if (statusAt === undefined && k >= 0) {
      statusAt = now;
      statusSaw = instances[k]!.url;
    }
    const onPage = (await shown(page)).active;
    if (pageAt === undefined && onPage && onPage !== former) {
      pageAt = performance.now();
      pageSaw = onPage;
    }
  }
  return { statusSaw: statusSaw!, pageSaw: pageSaw!, lagMs: pageAt - statusAt };
}

describe("the live HA page in headless Chromium (ZooKeeper, Kafka, 3 server processes, SQLite)", () => {
  const cluster = useLocalCluster({ instances: 3, zk: 1, sessionTimeoutMs: 4000, zkProxy: true });
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
  }, 60_000);
  afterAll(() => browser?.close());

  it("shows the group, then the new active within 1 s of the status endpoints when the active is killed and when the page's own instance turns passive", async () => {
    const c = cluster();
    const first = await c.waitForActive({ timeoutMs: 30_000 });
    const others = c.instances.filter((i) => i !== first);
    await Promise.all(others.map((p) => p.waitForState("PASSIVE", 30_000)));

    // 1. The page on a passive: the whole group, exactly one ACTIVE, the active's consumer
    // lag per partition once it has read a message.
    await c.produce([hookCreate("ha-page")]);
    const host = others[0]!;
    const page = await browser.newPage();
    await page.goto(`${host.url}/ha`);
    await waitFor(
      async () => {
        const s = await shown(page);
        const row = s.rows.find((r) => r.url === first.url);
        return s.active === first.url && /^ATLAS_HOOK\/0: \d+$/.test(row?.cells[7] ?? "");
      },
      { timeoutMs: 20_000, what: "the page to name the active and show its lag" },
    );
    const before = await shown(page);
    expect(before.verdict).toBe("OK");
    expect(before.verdictText).toContain(`exactly one ACTIVE: ${first.url}`);
    expect(before.servedBy).toContain("PASSIVE");
    expect(before.rows.map((r) => [r.url, r.state])).toEqual(
      c.instances.map((i) => [i.url, i === first ? "ACTIVE" : "PASSIVE"]),
    );
    // id, address, state, since, epoch, ZooKeeper session, hook consumer, lag, answered in
    const activeRow = before.rows.find((r) => r.url === first.url)!.cells;
    expect(activeRow[4]).toMatch(/^\d+$/);
    expect(activeRow[5]).toBe("CONNECTED");
    expect(activeRow[6]).toBe("running");
    expect(activeRow[3]).toMatch(/\(for \d+(s|m\d\ds)\)$/);
    await shot(page, "1-group");

    // 2. Kill the active: the page (on a survivor) follows the status endpoints.
    await c.kill(first.name);
    const killed = await race(page, others, first.url);
    expect(killed.pageSaw).toBe(killed.statusSaw);
    expect(killed.lagMs).toBeLessThanOrEqual(WITHIN_MS);
    await waitFor(
      async () => {
        const s = await shown(page);
        const gone = s.rows.find((r) => r.url === first.url);
        return gone?.state === "UNREACHABLE" && s.failovers[0]?.[1]?.includes(killed.statusSaw);
      },
      { timeoutMs: 5_000, what: "the killed instance UNREACHABLE and the failover listed" },
    );
    const afterKill = await shown(page);
    expect(afterKill.verdict).toBe("WARNING");
    expect(afterKill.rows).toHaveLength(3);
    expect(afterKill.rows.find((r) => r.url === first.url)!.cells[7]).toContain("ECONNREFUSED");
    // became active, new active, epoch, took, activation, previous active
    expect(afterKill.failovers[0]![3]).toMatch(/^\d+ ms$/);
    expect(afterKill.failovers[0]![5]).toBe(first.url);
    await shot(page, "2-after-kill");

    // 3. The page on the new active, which is then cut from ZooKeeper: it turns passive and
    // its page goes on, naming the next active.
    const second = c.instances.find((i) => i.url === killed.statusSaw)!;
    const onSecond = second === host ? page : await browser.newPage();
    if (onSecond !== page) await onSecond.goto(`${second.url}/ha`);
    await waitFor(async () => (await shown(onSecond)).servedBy.includes("ACTIVE"), {
      timeoutMs: 10_000,
      what: "the page on the new active",
    });
    await c.zkProxy(second.name).cut();
    const survivors = others.filter((i) => i !== second);
    const cut = await race(onSecond, [...survivors, second], second.url);
    expect(cut.pageSaw).toBe(cut.statusSaw);
    expect(cut.lagMs).toBeLessThanOrEqual(WITHIN_MS);
    await waitFor(async () => (await shown(onSecond)).servedBy.endsWith("PASSIVE"), {
      timeoutMs: 10_000,
      what: "the page's own instance to show PASSIVE",
    });
    const afterCut = await shown(onSecond);
    expect(afterCut.stale).toBe(false);
    expect(afterCut.rows.find((r) => r.url === second.url)!.state).toBe("PASSIVE");
    expect(afterCut.rows.find((r) => r.url === cut.statusSaw)!.state).toBe("ACTIVE");
    expect(afterCut.rows.find((r) => r.url === first.url)!.state).toBe("UNREACHABLE");
    await shot(onSecond, "3-own-instance-passive");
    // Beside the screenshots: how far the page was behind the status endpoints each time.
    writeFileSync(
      join(screenshots, "ha-page-lag.json"),
      `${JSON.stringify({ afterKillMs: killed.lagMs, afterCutMs: cut.lagMs })}\n`,
    );

    // 4. The page's own instance dies: the page says so and keeps the last picture.
    await c.kill(second.name);
    await waitFor(async () => (await shown(onSecond)).stale, {
      timeoutMs: 10_000,
      what: "the page to say its instance does not answer",
    });
    const orphan = await shown(onSecond);
    expect(orphan.staleText).toMatch(
      /^This page's instance does not answer .*; showing what it said at /,
    );
    expect(orphan.rows).toHaveLength(3);
    await shot(onSecond, "4-own-instance-gone");
  }, 240_000); // two elections, each after a 4 s session timeout, on a loaded machine
});
