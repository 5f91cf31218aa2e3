import type { TcpProxy, TcpProxyCutOptions } from "@atlas-ha/testkit";

/**
 * The proxies between one instance and every ZooKeeper node (`zkProxy: true`): cutting them
 * partitions that instance from the whole ensemble, while the others keep talking to it.
 */
export class ZooKeeperProxy {
  readonly instance: string;
  /** One per ZooKeeper node, in node order; the instance's connect string lists their ports. */
  readonly proxies: TcpProxy[];

  constructor(instance: string, proxies: TcpProxy[]) {
    this.instance = instance;
    this.proxies = proxies;
  }

  /** `127.0.0.1:p1,127.0.0.1:p2,…`: what the instance is configured with. */
  get connectString(): string {
    return this.proxies.map((p) => p.address).join(",");
  }

  get isCut(): boolean {
    return this.proxies.some((p) => p.state === "refusing" || p.state === "blackholing");
  }

  /** Cuts the instance from every ZooKeeper node (see TcpProxy.cut for the modes). */
  async cut(options: TcpProxyCutOptions = {}): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.cut(options)));
  }

  async restore(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.restore()));
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.close()));
  }
}
