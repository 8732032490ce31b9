import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export type SmtpBehaviour = "accept" | "temporary-failure" | "permanent-failure" | "drop-connection";

/** A real SMTP server on 127.0.0.1 that records what it accepts and fails on command. */
export async function startTestSmtpServer({ port: wantedPort = 0 }: { port?: number } = {}) {
  const received: (ParsedMail & { envelopeTo: string[] })[] = [];
  const state = { behaviour: "accept" as SmtpBehaviour };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        if (state.behaviour === "drop-connection") {
          // Hang up in the middle of the transaction, as a crashing or overloaded server does.
          (session as unknown as { socket?: { destroy(): void } }).socket?.destroy();
          for (const connection of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) {
            connection._socket.destroy();
          }
          return;
        }
        if (state.behaviour === "temporary-failure") {
          return callback(Object.assign(new Error("451 Riprova più tardi"), { responseCode: 451 }));
        }
        if (state.behaviour === "permanent-failure") {
          return callback(Object.assign(new Error("550 Casella inesistente"), { responseCode: 550 }));
        }
        const parsed = await simpleParser(Buffer.concat(chunks));
        received.push(Object.assign(parsed, { envelopeTo: session.envelope.rcptTo.map((r) => r.address) }));
        callback();
      });
    },
  });
  // A client that disappears mid-session (a portal killed with SIGKILL, a dropped pool connection)
  // is reported here; a real server logs it and goes on, and so does this one.
  const connectionErrors: Error[] = [];
  server.on("error", (error) => connectionErrors.push(error));
  await new Promise<void>((resolve) => server.listen(wantedPort, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    state,
    connectionErrors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
