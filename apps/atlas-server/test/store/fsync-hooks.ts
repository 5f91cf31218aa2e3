/**
 * `node:fs/promises` with each opened handle's `sync()` (and `close()`) going through a test's
 * own hook: how the SQLite tests observe, hold back or fail the backend's fsyncs. For a
 * `vi.mock("node:fs/promises", …)` factory, which imports this module itself (it must not
 * import `node:fs/promises`: that is the module being mocked).
 */
type FsPromises = typeof import("node:fs/promises");

export interface FsyncHooks {
  /** The files whose handles are hooked (by the path they were opened with); default all. */
  only?: (path: string) => boolean;
  opened?: (path: string) => void;
  /** Runs instead of the handle's sync(); `sync` is the real one. */
  sync: (path: string, sync: () => Promise<void>) => Promise<void>;
  /** Runs instead of the handle's close(); `close` is the real one. */
  close?: (path: string, close: () => Promise<void>) => Promise<void>;
}

export function withFsyncHooks(fs: FsPromises, hooks: FsyncHooks): FsPromises {
  return {
    ...fs,
    open: async (...args: Parameters<FsPromises["open"]>) => {
      const handle = await fs.open(...args);
      const path = String(args[0]);
      if (hooks.only && !hooks.only(path)) return handle;
      hooks.opened?.(path);
      const sync = handle.sync.bind(handle);
      handle.sync = () => hooks.sync(path, sync);
      if (hooks.close) {
        const close = handle.close.bind(handle);
        const onClose = hooks.close;
        handle.close = () => onClose(path, close);
      }
      return handle;
    },
  };
}
