#!/usr/bin/env node
// The heaviest functions of a .cpuprofile by self time (as shares of the non-idle samples), and by package (node_modules/<pkg>,
// our workspaces, node internals): `node bench/lib/profile-top.mjs FILE [N]`.
import { readFileSync } from "node:fs";

export function topOfProfile(file, n = 25) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  // Shares of the busy time: an instance is idle most of its life, which says nothing.
  const idle = new Set(
    profile.nodes.filter((node) => node.callFrame.functionName === "(idle)").map((node) => node.id),
  );
  const total = profile.samples.filter((id) => !idle.has(id)).length;
  const byPackage = new Map();
  for (const [id, count] of counts) {
    if (idle.has(id)) continue;
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${short(callFrame.url)}:${callFrame.lineNumber + 1}` : "";
    const key = `${callFrame.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + count);
    const pkg = packageOf(callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + count);
  }
  const pct = (c) => `${((100 * c) / total).toFixed(1)}%`;
  const top = (m, k) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, c]) => ({ self: pct(c), name }));
  return { samples: total, functions: top(self, n), packages: top(byPackage, 15) };
}

function short(url) {
  return url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "~/")
    .replace(/^.*\/(apps|packages)\//, "$1/");
}

function packageOf(frame) {
  const url = frame.url;
  if (!url)
    return frame.functionName === "(garbage collector)"
      ? "(gc)"
      : frame.functionName === "(idle)"
        ? "(idle)"
        : "(native/vm)";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const ws = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return ws ? `${ws[1]}/${ws[2]}` : url;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const [file, n] = process.argv.slice(2);
  const { samples, functions, packages } = topOfProfile(file, Number(n ?? 25));
  console.log(`${samples} busy samples`);
  console.table(packages);
  console.table(functions);
}
