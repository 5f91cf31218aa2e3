import { connect } from "node:net";

/**
 * Sends a ZooKeeper four-letter-word command (`srvr`, `ruok`, `mntr`, …) and returns the
 * whole answer. Rejects when nothing complete arrives within `timeoutMs`, which is how a
 * paused (SIGSTOPped) server shows: its port accepts, then silence.
 */
export function fourLetterWord(
  host: string,
  port: number,
  command: string,
  timeoutMs = 1000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to "${command}" from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => socket.end(command));
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}
