// Run by tests in a separate Node process (node --import tsx) to act on the same SQLite file at
// the same moment as another process: `send <roundTableId>` or `remind`, starting at `startAt` (ms).
import { openDatabase } from "~/utils/db.server";
import { sendDueReminders, sendInvitations } from "~/models/invitation.server";

const [, , databasePath, command, arg, startAt, coordinatorId] = process.argv;
const db = openDatabase(databasePath);
while (Date.now() < Number(startAt)) {
  // Busy-wait so both processes start together.
}
const appUrl = "http://portale.test";
const result =
  command === "send"
    ? sendInvitations(db, { roundTableId: Number(arg), filters: {}, coordinatorId: Number(coordinatorId), appUrl })
    : sendDueReminders(db, { now: new Date(Number(arg)), appUrl });
process.stdout.write(JSON.stringify(result));
db.$client.close();
