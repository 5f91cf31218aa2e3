/**
 * The HTTP answer each store error becomes (no server needed): a store that is busy or out of
 * reach is a 503 the client may retry, never a 500; a broken one is a 500.
 */
import { describe, expect, it } from "vitest";
import { toHttpError } from "../../src/http/errors.js";
import {
  StoreBusyError,
  StoreFencedError,
  StoreSchemaError,
  StoreUnavailableError,
} from "../../src/store/errors.js";

describe("store errors as HTTP answers", () => {
  it("a busy write lock is 503 ATLAS-503-00-007 with Retry-After", () => {
    expect(toHttpError(new StoreBusyError(1000))).toMatchObject({
      status: 503,
      errorCode: "ATLAS-503-00-007",
      headers: { "Retry-After": "1" },
    });
  });

  it("a database out of reach is 503 ATLAS-503-00-008 with Retry-After", () => {
    expect(toHttpError(new StoreUnavailableError("connect ECONNREFUSED"))).toMatchObject({
      status: 503,
      errorCode: "ATLAS-503-00-008",
      headers: { "Retry-After": "1" },
    });
  });

  it("a refused epoch is 503 ATLAS-503-00-006", () => {
    expect(toHttpError(new StoreFencedError(4, 5))).toMatchObject({
      status: 503,
      errorCode: "ATLAS-503-00-006",
    });
  });

  it("a store that is broken (schema too new) is left to the 500 path", () => {
    expect(
      toHttpError(new StoreSchemaError("the database was migrated by a newer server")),
    ).toBeNull();
  });
});
