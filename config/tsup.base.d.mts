import type { Options } from "tsup";
export declare function library(options?: Options): Options;
export declare function tool(options?: Options): Options;
