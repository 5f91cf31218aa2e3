import type { UserConfig } from "vitest/config";
export declare function testConfig(options?: {
  serial?: string[];
  testTimeout?: number;
}): UserConfig;
