// Construction-time validation: a bad option is a typed error naming the option.
import { describe, expect, it } from "vitest";
import { thrownBy, type CaughtError } from "@atlas-ha/testkit";
import { haRedirect } from "../src/index.js";
import type { HaRedirectOptions } from "../src/index.js";

const source = () => ({ state: "ACTIVE" as const, activeAddress: null });

const optionError = (options: unknown) =>
  thrownBy(() => haRedirect(options as HaRedirectOptions), "haRedirect") as CaughtError & {
    option: string;
  };

describe("haRedirect options", () => {
  it.each([
    ["options", undefined],
    ["source", {}],
    ["source", { source: "zk" }],
    ["source", { source: { snapshot: 1 } }],
    ["selfAddress", { source, selfAddress: "10.0.0.5:21000" }],
    ["selfAddress", { source, selfAddress: "http://10.0.0.5:21000/api" }],
    ["selfAddress", { source, selfAddress: "http://10.0.0.5:21000?x" }],
    ["selfAddress", { source, selfAddress: "ftp://10.0.0.5:21" }],
    ["selfAddress", { source, selfAddress: " http://10.0.0.5:21000" }],
    ["selfAddress", { source, selfAddress: "http://a@10.0.0.5:21000" }],
    ["selfAddress", { source, selfAddress: 21000 }],
    ["selfAddress[1]", { source, selfAddress: ["http://10.0.0.5:21000", "not a url"] }],
    ["exemptPaths", { source, exemptPaths: "/api/atlas/admin/status" }],
    ["exemptPaths[0]", { source, exemptPaths: ["api/atlas/admin/status"] }],
    ["exemptPaths[1]", { source, exemptPaths: ["/ok", "/status?x=1"] }],
    ["retryAfter", { source, retryAfter: -1 }],
    ["retryAfter", { source, retryAfter: 1.5 }],
    ["retryAfter", { source, retryAfter: "1" }],
    ["retryAfter", { source, retryAfter: Number.NaN }],
    ["logger", { source, logger: console.log }],
    ["logger", { source, logger: { info() {} } }],
    ["onRedirect", { source, onRedirect: "count" }],
    ["onUnavailable", { source, onUnavailable: 1 }],
    ["retryAfterSeconds", { source, retryAfterSeconds: 1 }],
    ["passive", { source, passive: "forward" }],
    ["proxy", { source, proxy: {} }],
    ["proxy", { source, passive: "redirect", proxy: { via: "a" } }],
    ["proxy", { source, passive: "proxy", proxy: null }],
    ["proxy.via", { source, passive: "proxy", proxy: { via: "atlas 1" } }],
    ["proxy.via", { source, passive: "proxy", proxy: { via: "" } }],
    ["proxy.groupVia", { source, passive: "proxy", proxy: { groupVia: "atlas-2" } }],
    ["proxy.groupVia[1]", { source, passive: "proxy", proxy: { groupVia: ["a", "b,c"] } }],
    ["proxy.maxBodyBytes", { source, passive: "proxy", proxy: { maxBodyBytes: 0 } }],
    ["proxy.connectTimeoutMs", { source, passive: "proxy", proxy: { connectTimeoutMs: 1.5 } }],
    [
      "proxy.responseTimeoutMs",
      { source, passive: "proxy", proxy: { responseTimeoutMs: 2 ** 31 } },
    ],
    ["proxy.ca", { source, passive: "proxy", proxy: { ca: "not a certificate" } }],
    ["proxy.timeoutMs", { source, passive: "proxy", proxy: { timeoutMs: 1 } }],
    ["onProxied", { source, onProxied: true }],
  ])("rejects a bad %s with HaRedirectOptionsError", (option, options) => {
    const err = optionError(options);
    expect(err.name).toBe("HaRedirectOptionsError");
    expect(err.code).toBe("HA_REDIRECT_BAD_OPTION");
    expect(err.option).toBe(option);
    expect(err.message).toContain(`"${option}"`);
  });

  it("accepts the documented shapes", () => {
    expect(() =>
      haRedirect({
        source: { snapshot: () => ({ state: "PASSIVE", activeAddress: null }) },
        selfAddress: [
          "http://10.0.0.5:21000",
          "https://atlas-1.example.com:21443/",
          "http://[::1]:21000",
        ],
        exemptPaths: [],
        retryAfter: 0,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        onRedirect() {},
        onUnavailable() {},
        onRejected() {},
      }),
    ).not.toThrow();
    expect(() =>
      haRedirect({
        source,
        passive: "proxy",
        proxy: {
          via: "atlas-1",
          groupVia: ["atlas-2", "atlas.3"],
          maxBodyBytes: 1,
          connectTimeoutMs: 1,
          responseTimeoutMs: 2_147_483_647,
          ca: ["-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"],
        },
        onProxied() {},
      }),
    ).not.toThrow();
    expect(() => haRedirect({ source, passive: "redirect" })).not.toThrow();
    expect(() => haRedirect({ source, passive: "proxy" })).not.toThrow();
  });

  it("exposes counters starting at zero", () => {
    expect(haRedirect({ source }).counters).toEqual({ redirects: 0, unavailable: 0, rejected: 0 });
  });
});
