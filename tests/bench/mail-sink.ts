import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/**
 * An SMTP server on 127.0.0.1 that accepts everything and reads only each message's Message-ID:
 * cheap, so that it is not what limits the delivery rate it measures. `watch`: the Message-IDs
 * whose deliveries are counted and timed (first and last arrival).
 */
export async function startMailSink({ watch = [] }: { watch?: string[] } = {}) {
  const watched = new Set(watch);
  const seen = new Set<string>();
  const stats = { total: 0, received: 0, distinct: 0, firstAt: 0, lastAt: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      let head = "";
      let inHeaders = true;
      stream.on("data", (chunk: Buffer) => {
        if (!inHeaders) return;
        head += chunk.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end >= 0) {
          head = head.slice(0, end);
          inHeaders = false;
        }
      });
      stream.on("end", () => {
        stats.total++;
        const id = /^message-id:\s*(<[^>\s]+>)/im.exec(head)?.[1];
        if (id && watched.has(id)) {
          const now = performance.now();
          if (stats.received === 0) stats.firstAt = now;
          stats.lastAt = now;
          stats.received++;
          if (!seen.has(id)) {
            seen.add(id);
            stats.distinct++;
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** Every message received, watched or not. */
    get total() {
      return stats.total;
    },
    /** The watched messages: deliveries, distinct Message-IDs, performance.now() of the first and last. */
    get watched() {
      return { received: stats.received, distinct: stats.distinct, firstAt: stats.firstAt, lastAt: stats.lastAt };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
