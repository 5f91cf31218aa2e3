package atlasha.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooKeeper;

/**
 * Clean hand-over of Apache Curator's LeaderLatch: two participants in this one JVM, each
 * with its own CuratorFramework (its own ZooKeeper session), on one election path. A round:
 * the first latch leads, the second waits with its watch on the leader's node, then the
 * leader's close() → the second's isLeader() callback, timed with System.nanoTime().
 *
 * <p>args: connectString sessionTimeoutMs path. Prints {"type":"ready"} once both clients
 * are connected; each stdin line "run N" runs N rounds and prints
 * {"type":"samples","samples":[ms, …]}; "exit" (or end of input) closes the clients.
 */
public final class LeaderLatchHandover {
  private LeaderLatchHandover() {}

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    int sessionTimeoutMs = Integer.parseInt(args[1]);
    String path = args[2];
    CuratorFramework[] clients = new CuratorFramework[2];
    for (int i = 0; i < 2; i++) {
      clients[i] =
          CuratorFrameworkFactory.newClient(
              connect, sessionTimeoutMs, 15_000, new ExponentialBackoffRetry(100, 3));
      clients[i].start();
      if (!clients[i].blockUntilConnected(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not connected to " + connect);
      }
    }
    System.out.println("{\"type\":\"ready\"}");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int round = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.equals("exit")) break;
      if (!line.startsWith("run ")) continue;
      int n = Integer.parseInt(line.substring(4).trim());
      List<Double> samples = new ArrayList<>();
      for (int i = 0; i < n; i++, round++) {
        // The roles alternate between the two sessions, as the Node side's do.
        samples.add(handover(clients[round % 2], clients[(round + 1) % 2], path));
      }
      StringBuilder out = new StringBuilder("{\"type\":\"samples\",\"samples\":[");
      for (int i = 0; i < samples.size(); i++) {
        if (i > 0) out.append(',');
        out.append(samples.get(i));
      }
      System.out.println(out.append("]}"));
      System.out.flush();
    }
    for (CuratorFramework c : clients) c.close();
  }

  /** One clean hand-over from a latch on `first` to one on `second`; ms. */
  private static double handover(CuratorFramework first, CuratorFramework second, String path)
      throws Exception {
    LeaderLatch leader = new LeaderLatch(first, path, "a");
    leader.start();
    if (!leader.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("a never led");
    LeaderLatch next = new LeaderLatch(second, path, "b");
    long[] ledAt = new long[1];
    CountDownLatch led = new CountDownLatch(1);
    next.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            ledAt[0] = System.nanoTime();
            led.countDown();
          }

          @Override
          public void notLeader() {}
        });
    next.start();
    waitForWatch(second, leader.getOurPath(), next);
    long t0 = System.nanoTime();
    leader.close();
    if (!led.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("b never led");
    double ms = (ledAt[0] - t0) / 1e6;
    next.close();
    return ms;
  }

  /**
   * Until `second`'s ZooKeeper client holds its watch on the leader's node (the latch has
   * no event for "waiting"): ZooKeeper's own test accessor, through reflection.
   */
  private static void waitForWatch(CuratorFramework second, String leaderPath, LeaderLatch next)
      throws Exception {
    ZooKeeper zk = second.getZookeeperClient().getZooKeeper();
    Method dataWatches = ZooKeeper.class.getDeclaredMethod("getDataWatches");
    dataWatches.setAccessible(true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      @SuppressWarnings("unchecked")
      List<String> watched = (List<String>) dataWatches.invoke(zk);
      if (next.getOurPath() != null && watched.contains(leaderPath)) return;
      if (System.nanoTime() > deadline) throw new IllegalStateException("b never watched a");
      Thread.onSpinWait();
      Thread.sleep(0, 200_000);
    }
  }
}
