#!/usr/bin/env node
/**
 * The `atlas-server` launcher. Before anything else loads, it holds V8's young generation at
 * the size V8 starts it with: compiling and running the modules of the server and its
 * dependencies (~250 ms) would otherwise grow it to 2 × 8 MB before `command.ts` caps it
 * (young-generation.ts). Then the command.
 */
import { holdYoungGeneration } from "./young-generation.js";

holdYoungGeneration();
await import("./command.js");
