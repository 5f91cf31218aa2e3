import { describe, expect, it } from "vitest";
import { Emitter, flatEvent } from "../src/index.js";

interface Events {
  started: { epoch: number };
  stopped: { reason: string };
}

function emitter(errors: unknown[] = []) {
  return new Emitter<Events>({ now: () => 1234, onListenerError: (e) => errors.push(e) });
}

describe("Emitter", () => {
  it("gives every listener { type, timestamp, payload }, stamped by its clock unless told", () => {
    const events = emitter();
    const seen: unknown[] = [];
    events.on("started", (event) => seen.push(event));
    events.emit("started", { epoch: 7 });
    events.emit("started", { epoch: 8 }, 99);
    expect(seen).toEqual([
      { type: "started", timestamp: 1234, payload: { epoch: 7 } },
      { type: "started", timestamp: 99, payload: { epoch: 8 } },
    ]);
  });

  it("calls only the listeners of the event's type, and stops calling one unsubscribed", () => {
    const events = emitter();
    const seen: string[] = [];
    const off = events.on("started", () => seen.push("started"));
    events.on("stopped", (event) => seen.push(event.payload.reason));
    events.emit("stopped", { reason: "done" });
    events.emit("started", { epoch: 1 });
    off();
    events.emit("started", { epoch: 2 });
    expect(seen).toEqual(["done", "started"]);
  });

  it("tells whether a type has listeners, so frequent events cost nothing without", () => {
    const events = emitter();
    expect(events.has("started")).toBe(false);
    const off = events.on("started", () => undefined);
    expect(events.has("started")).toBe(true);
    off();
    expect(events.has("started")).toBe(false);
  });

  it("hands a listener's error to its owner and still calls the other listeners", () => {
    const errors: unknown[] = [];
    const events = emitter(errors);
    const seen: number[] = [];
    events.on("started", () => {
      throw new Error("listener bug");
    });
    events.on("started", (event) => seen.push(event.payload.epoch));
    events.emit("started", { epoch: 3 });
    expect(seen).toEqual([3]);
    expect(errors).toMatchObject([{ message: "listener bug" }]);
  });

  it("lets a listener unsubscribe itself while the event is delivered", () => {
    const events = emitter();
    const seen: number[] = [];
    const off = events.on("started", (event) => {
      seen.push(event.payload.epoch);
      off();
    });
    events.on("started", (event) => seen.push(event.payload.epoch * 10));
    events.emit("started", { epoch: 1 });
    events.emit("started", { epoch: 2 });
    expect(seen).toEqual([1, 10, 20]);
  });
});

describe("flatEvent", () => {
  it("copies the payload's fields beside type, timestamp and payload", () => {
    expect(
      flatEvent<Events, "started">({ type: "started", timestamp: 5, payload: { epoch: 2 } }),
    ).toEqual({
      type: "started",
      timestamp: 5,
      payload: { epoch: 2 },
      epoch: 2,
    });
  });
});
