/**
 * `@atlas-ha/election-core/testing`: an in-memory ZooKeeper and a manual clock, for fast,
 * deterministic unit tests of code built on the election. Pass `sessionFactory:
 * ensemble.factory` and `clock` to createElection(). Not part of the main entry.
 */
export { ManualClock, settle } from "@atlas-ha/shared";
export { FakeEnsemble, FakeSession, type FakeNode } from "./fake-zk.js";
