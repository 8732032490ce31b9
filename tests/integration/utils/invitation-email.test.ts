import { eq } from "drizzle-orm";
import ical from "node-ical";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invitations } from "#db/schema";
import { sendDueReminders, sendInvitations } from "~/models/invitation.server";
import * as invitationRoute from "~/routes/invito.$token";
import { getDb } from "~/utils/db.server";
import { createMailTransport } from "~/utils/mailer.server";
import { startOutboxWorker } from "~/utils/outbox-worker.server";
import { createTestCoordinator } from "../../support/admin";
import { createReferent, createRoundTable, DAY, emailsOf, tableCounts } from "../../support/invitations";
import { APP_URL, browserPost, routeArgs } from "../../support/requests";
import { startTestSmtpServer } from "../../support/smtp-server";
import { until } from "../../support/until";

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let worker: { stop: () => Promise<void> };
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  const transport = createMailTransport({ SMTP_URL: smtp.url, mailDir: "" });
  const started = startOutboxWorker({ db: getDb(), transport, from: "Coordinamento SAI <noreply@portale.test>", pollMs: 20, ratePerSecond: 1000, maxAttempts: 5 });
  worker = { stop: async () => { await started.stop(); transport.close(); } };
});
afterAll(async () => {
  await worker.stop();
  await smtp.close();
});

const mailFor = (to: string, subjectStart: string) =>
  until(() => smtp.received.find((m) => m.envelopeTo.includes(to) && m.subject?.startsWith(subjectStart)));

function calendarOf(message: Awaited<ReturnType<typeof mailFor>>) {
  const attachment = message.attachments.find((a) => a.filename === "invito.ics");
  expect(attachment, "the invito.ics attachment").toBeDefined();
  const text = attachment!.content.toString("utf8");
  const parsed = ical.sync.parseICS(text);
  const events = Object.values(parsed).filter((c) => c?.type === "VEVENT") as ical.VEvent[];
  expect(events).toHaveLength(1);
  return { attachment: attachment!, text, event: events[0], method: (parsed.vcalendar as unknown as { method?: string }).method };
}

describe("the invitation at a real SMTP server", () => {
  it("has the subject, both answer links work, and the .ics is a REQUEST with UID, SEQUENCE and the invitee", async () => {
    const coordinatorId = createTestCoordinator().id;
    const referent = await createReferent({ provinceCode: "088" });
    const rt = createRoundTable({
      number: 5,
      title: "Gestione delle migrazioni ed esperienze dei piccoli comuni",
      mode: "ibrido",
      place: "Palermo, Palazzo Comitini",
      onlineUrl: "https://meet.example.org/tavolo-5",
      sequence: 2,
      // The day summer time starts: 15:00-17:00 in Rome is 13:00-15:00 UTC.
      startsAt: new Date("2030-03-31T13:00:00Z"),
      endsAt: new Date("2030-03-31T15:00:00Z"),
      speakers: [{ name: "G. Zollo", affiliation: "Welcome" }],
    });
    expect(sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["088"] }, coordinatorId, appUrl: APP_URL })).toEqual({ ok: true, count: 1 });

    const message = await mailFor(referent.email, "Invito:");
    expect(message.subject).toBe("Invito: 5° Tavolo tecnico - Gestione delle migrazioni ed esperienze dei piccoli comuni");
    expect(message.text).toContain(`Gentile ${referent.name}`);
    expect(message.text).toContain("Palermo, Palazzo Comitini");
    expect(message.text).toContain("https://meet.example.org/tavolo-5");
    expect(message.text).toContain("G. Zollo (Welcome)");
    const yesLink = message.text!.match(/http:\/\/portale\.test\/invito\/[\w-]+\?risposta=si/)![0];
    const noLink = message.text!.match(/http:\/\/portale\.test\/invito\/[\w-]+\?risposta=no/)![0];
    expect(message.html).toContain(`href="${yesLink}"`);
    expect(message.html).toContain(`href="${noLink}"`);
    await until(() => emailsOf(rt.id)[0].status === "sent" || undefined);

    // The calendar invitation.
    const { attachment, text, event, method } = calendarOf(message);
    expect(attachment.contentType).toBe("text/calendar");
    expect((attachment.headers.get("content-type") as { params: Record<string, string> }).params).toMatchObject({ method: "REQUEST" });
    expect(method).toBe("REQUEST");
    expect(text).toContain("METHOD:REQUEST");
    expect(event.uid).toBe(`tavolo-${rt.id}@portale.test`);
    expect(Number(event.sequence)).toBe(2);
    expect(new Date(event.start).getTime()).toBe(rt.startsAt.getTime());
    expect(new Date(event.end!).getTime()).toBe(rt.endsAt.getTime());
    expect(text).toContain("DTSTART;TZID=Europe/Rome:20300331T150000");
    expect(text).toContain("DTEND;TZID=Europe/Rome:20300331T170000");
    expect(message.text).toContain("domenica 31 marzo 2030, dalle 15:00 alle 17:00");
    const attendees = [event.attendee].flat();
    expect(attendees.map((a) => String(typeof a === "string" ? a : a?.val).toLowerCase())).toEqual([`mailto:${referent.email}`]);
    // The organizer is the sender of MAIL_FROM (its default in these tests).
    expect(String(typeof event.organizer === "string" ? event.organizer : event.organizer?.val).toLowerCase()).toBe("mailto:noreply@localhost");

    // "Partecipo" opens the page (nothing recorded), the button there records it.
    const row = () => getDb().select().from(invitations).where(eq(invitations.roundTableId, rt.id)).get()!;
    const token = new URL(yesLink).pathname.split("/").pop()!;
    const before = { counts: tableCounts(), row: row() };
    const opened = invitationRoute.loader(routeArgs(new Request(yesLink), { token }));
    expect(opened.status).toBe(200);
    expect(((await opened.json()) as { preselected: string }).preselected).toBe("yes");
    expect(row()).toEqual(before.row);
    expect(tableCounts()).toEqual(before.counts);
    const yes = await invitationRoute.action(routeArgs(await browserPost(new URL(yesLink).pathname, { risposta: "si" }), { token }));
    expect(yes.status).toBe(200);
    expect(row().answer).toBe("yes");

    // "Non partecipo" from the same email changes the answer.
    const noToken = new URL(noLink).pathname.split("/").pop()!;
    expect(noToken).toBe(token);
    expect(((await invitationRoute.loader(routeArgs(new Request(noLink), { token })).json()) as { preselected: string }).preselected).toBe("no");
    const no = await invitationRoute.action(routeArgs(await browserPost(new URL(noLink).pathname, { risposta: "no" }), { token }));
    expect(no.status).toBe(200);
    expect(row().answer).toBe("no");
  });

  it("the reminder arrives with the answer links and the same calendar event", async () => {
    const coordinatorId = createTestCoordinator().id;
    const referent = await createReferent({ provinceCode: "085" });
    const rt = createRoundTable({ number: 6, title: "Tavolo di maggio", startsInMs: DAY, sequence: 1 });
    // Invited before the reminder window opened (2 days before): invitations sent inside it get none.
    const invitedAt = new Date(rt.startsAt.getTime() - 10 * DAY);
    sendInvitations(getDb(), { roundTableId: rt.id, filters: { provinceCodes: ["085"] }, coordinatorId, appUrl: APP_URL, now: invitedAt });
    await mailFor(referent.email, "Invito: 6°");
    sendDueReminders(getDb(), { now: new Date(), appUrl: APP_URL });

    const message = await mailFor(referent.email, "Promemoria:");
    expect(message.subject).toBe("Promemoria: 6° Tavolo tecnico - Tavolo di maggio");
    expect(message.text).toContain("Non ci hai ancora detto se parteciperai.");
    expect(message.text).toMatch(/http:\/\/portale\.test\/invito\/[\w-]+\?risposta=si/);
    const { event, method } = calendarOf(message);
    expect(method).toBe("REQUEST");
    expect(event.uid).toBe(`tavolo-${rt.id}@portale.test`);
    expect(Number(event.sequence)).toBe(1);
  });
});
