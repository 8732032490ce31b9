import ical from "node-ical";
import { describe, expect, it } from "vitest";
import { PREVIEW_ROUND_TABLE } from "#emails/components/round-table-details";
import { emailTemplates } from "#emails/index";
import { MaterialsAvailableEmail } from "#emails/materials-available";
import { RoundTableInvitationEmail } from "#emails/round-table-invitation";
import { RoundTableRejoinedEmail } from "#emails/round-table-rejoined";
import { RoundTableReminderEmail } from "#emails/round-table-reminder";
import { RoundTableUpdatedEmail, type RoundTableUpdatedProps } from "#emails/round-table-updated";
import { renderEmail } from "~/utils/render-email.server";

const previewPropsOf = (name: string) =>
  (emailTemplates[name as keyof typeof emailTemplates].default as unknown as { PreviewProps: Record<string, unknown> }).PreviewProps;

describe("email templates", () => {
  it.each(Object.keys(emailTemplates))("%s renders HTML and plain text in Italian from its preview props", async (name) => {
    const rendered = await renderEmail(name, previewPropsOf(name));
    expect(rendered.subject.length).toBeGreaterThan(10);
    expect(rendered.html).toMatch(/^<!DOCTYPE html/);
    expect(rendered.html).toContain('lang="it"');
    expect(rendered.text).not.toContain("<");
    expect(rendered.text).toContain("Gentile");
    // "del Comune di …", never "di Comune di …" (ofBody).
    expect(`${rendered.subject}\n${rendered.text}`).not.toMatch(/\bdi (Comune|Unione|Città|Libero Consorzio)\b/);
  });

  it("escapes what people typed", async () => {
    const rendered = await renderEmail("confirm-registration", {
      firstName: "<script>alert(1)</script>",
      bodyName: "Comune di Prova",
      confirmUrl: "http://localhost/x",
      expiresOn: "1 gennaio 2027",
      isHandover: false,
    });
    expect(rendered.html).not.toContain("<script>alert(1)</script>");
    expect(rendered.html).toContain("&lt;script&gt;");
  });

  it("the plain-text invitation puts each answer link on its own line and keeps the programme's lines", async () => {
    const rendered = await renderEmail("round-table-invitation", {
      recipientName: "Maria Rossi",
      recipientEmail: "maria.rossi@example.org",
      answerUrl: "http://localhost:3000/invito/abc",
      appUrl: "http://localhost:3000",
      roundTable: { ...PREVIEW_ROUND_TABLE, description: "- saluti\n- interventi\n- conclusioni" },
    });
    const lines = rendered.text.split("\n").map((l) => l.trim());
    // A text-only mail client must not read "…?risposta=siNon" as the link.
    expect(lines).toContain("Partecipo http://localhost:3000/invito/abc?risposta=si");
    expect(lines).toContain("Non partecipo http://localhost:3000/invito/abc?risposta=no");
    expect(rendered.text).toMatch(/- saluti\n- interventi\n- conclusioni/);
    // Side by side in the HTML: two cells of one row.
    expect(rendered.html).toMatch(/risposta=si[\s\S]*<\/td>[\s\S]*<td[^>]*>[\s\S]*risposta=no/);
  });

  it("an invitation moved to a new address says so and carries its answer; one without currentAnswer (older rows) is a first invitation", async () => {
    const props = RoundTableInvitationEmail.PreviewProps;
    const moved = async (currentAnswer: "yes" | "no" | "pending") => (await renderEmail("round-table-invitation", { ...props, currentAnswer })).text;
    expect(await moved("no")).toContain("La tua risposta: «Non partecipo». Se vuoi cambiarla:");
    const pending = await moved("pending");
    expect(pending).toContain("è stato trasferito a questo indirizzo");
    expect(pending).not.toContain("La tua risposta:");
    const first = (await renderEmail("round-table-invitation", props)).text;
    expect(first).toContain("ti invita a partecipare");
    expect(first).not.toContain("trasferito");
  });

  it("the update lists what changes without a run of «e», and the rejoined email names no place it lacks, nor the date twice", async () => {
    const updated = await renderEmail("round-table-updated", {
      ...RoundTableUpdatedEmail.PreviewProps,
      changes: ["data e orario", "link per partecipare online"],
    });
    expect(updated.text).toContain("Cosa cambia: data e orario, link per partecipare online.");
    expect(updated.html).not.toMatch(/data e orario e/);

    // An online meeting: no place to speak of.
    const rejoined = await renderEmail("round-table-rejoined", RoundTableRejoinedEmail.PreviewProps);
    expect(RoundTableRejoinedEmail.PreviewProps.roundTable.place).toBeNull();
    expect(rejoined.text).not.toMatch(/luogo/i);
    expect(rejoined.text.match(/Quando/g)).toHaveLength(1);
    // Who has just said yes is offered the one answer left to give.
    expect(rejoined.text).toContain("Se non puoi più partecipare, faccelo sapere:");
    expect(rejoined.text).toContain("Non partecipo http://localhost:3000/invito/anteprima?risposta=no");
    expect(rejoined.text).not.toContain("?risposta=si");
  });

  it("the update says what the date, the way to take part and the place were before, and what they are now", async () => {
    const props = RoundTableUpdatedEmail.PreviewProps;
    const inPerson = { ...props.roundTable, mode: "in_presenza" as const, place: "Sala Giunta, Palermo", onlineUrl: null };
    const text = async (overrides: Partial<RoundTableUpdatedProps>) => (await renderEmail("round-table-updated", { ...props, ...overrides })).text;

    const moved = await text({ roundTable: inPerson, previous: { ...props.previous, mode: "online", place: null }, changes: ["data e orario", "modalità di partecipazione", "luogo"] });
    expect(moved).toMatch(/Data e orario prima: [^\n]+\.\nOra: [^\n]+\./);
    expect(moved).toContain("Modalità e luogo prima: Online.\nOra: In presenza, Sala Giunta, Palermo.");

    const sameTime = { startsAt: inPerson.startsAt, endsAt: inPerson.endsAt };
    const newRoom = await text({ roundTable: inPerson, previous: { ...sameTime, mode: "in_presenza", place: "Sala Martorana, Palermo" }, changes: ["luogo"] });
    expect(newRoom).toContain("Modalità e luogo prima: In presenza, Sala Martorana, Palermo.\nOra: In presenza, Sala Giunta, Palermo.");
    expect(newRoom).not.toContain("Data e orario prima:");

    // Only the time changed: nothing to say about the place.
    const timeOnly = await text({});
    expect(timeOnly).toContain("Data e orario prima:");
    expect(timeOnly).not.toContain("Modalità e luogo prima:");
  });

  it("the invitation and the reminder name the nota di invito and link it, a reserved one by the sign-in; rows queued before render without", async () => {
    const publicNote = { title: "Invito al 7° Tavolo tecnico", url: "http://localhost:3000/materiali/12", membersOnly: false };
    const reservedNote = { title: "Nota riservata", url: "http://localhost:3000/area-referente/accedi?redirectTo=%2Fmateriali%2F13", membersOnly: true };
    for (const [name, props] of [
      ["round-table-invitation", RoundTableInvitationEmail.PreviewProps],
      ["round-table-reminder", RoundTableReminderEmail.PreviewProps],
    ] as const) {
      const { text } = await renderEmail(name, { ...props, invitationNotes: [publicNote, reservedNote] });
      expect(text, name).toContain("Nota di invito: Invito al 7° Tavolo tecnico — http://localhost:3000/materiali/12\n");
      expect(text, name).toContain(
        "Nota di invito: Nota riservata (riservata agli enti aderenti: si scarica dopo l'accesso all'area referente) — http://localhost:3000/area-referente/accedi?redirectTo=%2Fmateriali%2F13\n",
      );
      const before = Object.fromEntries(Object.entries(props).filter(([key]) => key !== "invitationNotes"));
      const legacy = (await renderEmail(name, before)).text;
      expect(legacy, name).not.toContain("Nota di invito");
      expect(legacy, name).toContain("Pagina del Tavolo tecnico: http://localhost:3000/tavoli-tecnici/7");
    }
  });

  it("the update asks for an answer as fits the invitee's: who said yes, who has not answered; rows queued before ask both", async () => {
    const { answer: _, ...legacy } = RoundTableUpdatedEmail.PreviewProps;
    const yes = (await renderEmail("round-table-updated", { ...legacy, answer: "yes" })).text;
    expect(yes).toContain("Se con il cambiamento non puoi più partecipare, faccelo sapere:");
    expect(yes).toContain("La tua risposta all'invito resta valida.");
    // Who said yes is offered the way out only, not a «Partecipo» under a line about not coming.
    expect(yes).toContain("Non partecipo http://localhost:3000/invito/anteprima?risposta=no");
    expect(yes).not.toContain("?risposta=si");
    const pending = (await renderEmail("round-table-updated", { ...legacy, answer: "pending" })).text;
    expect(pending).toContain("Facci sapere se parteciperai:");
    expect(pending).not.toContain("non puoi più partecipare");
    // No answer to keep.
    expect(pending).not.toContain("La tua risposta all'invito resta valida.");
    expect(pending).toContain("Partecipo http://localhost:3000/invito/anteprima?risposta=si");
    expect(pending).toContain("Non partecipo http://localhost:3000/invito/anteprima?risposta=no");
    const before = (await renderEmail("round-table-updated", legacy)).text;
    expect(before).toContain("Se con il cambiamento non puoi più partecipare, o ora puoi, faccelo sapere:");
    expect(before).toContain("La tua risposta all'invito resta valida.");
  });

  it("«Materiali disponibili» queued before it listed several materials (one `material`) still renders", async () => {
    const { materials, ...rest } = MaterialsAvailableEmail.PreviewProps;
    const { text } = await renderEmail("materials-available", { ...rest, material: materials[0] });
    expect(text).toContain("è disponibile un nuovo materiale del Tavolo tecnico");
    expect(text).toContain("Video: Video dell'incontro");
    expect(text).toContain("Apri il materiale https://www.youtube.com/watch?v=esempio");
  });

  it("promises no one-click answer: the buttons open a page where the answer is confirmed", async () => {
    const prompt = "Parteciperai? Scegli la risposta e confermala nella pagina che si apre:";
    const invitation = await renderEmail("round-table-invitation", RoundTableInvitationEmail.PreviewProps);
    const reminder = await renderEmail("round-table-reminder", { ...RoundTableReminderEmail.PreviewProps, answer: "pending" });
    expect(invitation.text).toContain(prompt);
    expect(reminder.text).toContain(prompt);
    for (const name of Object.keys(emailTemplates)) {
      expect((await renderEmail(name, previewPropsOf(name))).text, name).not.toMatch(/con un clic/i);
    }
  });

  it("no address in the plain text is followed by punctuation, which mail programs would take into the link", async () => {
    const previews: [string, Record<string, unknown>][] = Object.keys(emailTemplates).map((name) => [name, previewPropsOf(name)]);
    const announced = MaterialsAvailableEmail.PreviewProps;
    const membersOnly = { ...announced.materials[0], visibility: "members", url: null };
    previews.push(["materials-available", { ...announced, materials: [membersOnly] }]);
    previews.push(["materials-available", { ...announced, materials: [...announced.materials, membersOnly] }]);
    const reservedNote = { title: "Nota riservata", url: "http://localhost:3000/area-referente/accedi?redirectTo=%2Fmateriali%2F13", membersOnly: true };
    previews.push(["round-table-reminder", { ...RoundTableReminderEmail.PreviewProps, invitationNotes: [reservedNote] }]);
    for (const [name, props] of previews) {
      const { text } = await renderEmail(name, props);
      expect(text.match(/https?:\/\/\S*[.,;:)](?=\s|$)/g), name).toBeNull();
    }
  });

  it("the calendar file's description tells any invitee, referente or not, where to answer", async () => {
    const guest = { ...RoundTableInvitationEmail.PreviewProps, recipientName: null, recipientEmail: "ospite@example.org" };
    const [ics] = (await renderEmail("round-table-invitation", guest)).attachments;
    const event = Object.values(ical.sync.parseICS(ics.content)).find((c) => c?.type === "VEVENT") as ical.VEvent;
    expect(event.description).toContain("Per rispondere all'invito usa i pulsanti dell'email di invito");
    expect(event.description).not.toMatch(/area referente/i);
  });

  it("the calendar file shows the answer given in the portal: «Partecipo» ACCEPTED, «Non partecipo» DECLINED, none yet NEEDS-ACTION", async () => {
    const partstatOf = async (name: string, props: Record<string, unknown>) => {
      const [ics] = (await renderEmail(name, props)).attachments;
      const event = Object.values(ical.sync.parseICS(ics.content)).find((c) => c?.type === "VEVENT") as ical.VEvent;
      expect(event.uid, name).toBe(`tavolo-${PREVIEW_ROUND_TABLE.id}@localhost`);
      return (event.attendee as unknown as { params: Record<string, unknown> }).params.PARTSTAT;
    };
    const invitation = RoundTableInvitationEmail.PreviewProps;
    expect(await partstatOf("round-table-invitation", invitation)).toBe("NEEDS-ACTION");
    // Moved to a referente's new address with the answer it carries.
    expect(await partstatOf("round-table-invitation", { ...invitation, currentAnswer: "yes" })).toBe("ACCEPTED");
    expect(await partstatOf("round-table-invitation", { ...invitation, currentAnswer: "pending" })).toBe("NEEDS-ACTION");
    expect(await partstatOf("round-table-invitation", { ...invitation, currentAnswer: "no" })).toBe("DECLINED");
    const reminder = RoundTableReminderEmail.PreviewProps;
    expect(await partstatOf("round-table-reminder", { ...reminder, answer: "yes" })).toBe("ACCEPTED");
    expect(await partstatOf("round-table-reminder", { ...reminder, answer: "pending" })).toBe("NEEDS-ACTION");
    const update = RoundTableUpdatedEmail.PreviewProps;
    expect(await partstatOf("round-table-updated", { ...update, answer: "yes" })).toBe("ACCEPTED");
    expect(await partstatOf("round-table-updated", { ...update, answer: "pending" })).toBe("NEEDS-ACTION");
    // An update queued before the answer was stored with it.
    const { answer: _, ...queuedBefore } = update;
    expect(await partstatOf("round-table-updated", queuedBefore)).toBe("NEEDS-ACTION");
    // «Partecipazione registrata» goes to whoever has just answered «Partecipo».
    expect(await partstatOf("round-table-rejoined", RoundTableRejoinedEmail.PreviewProps)).toBe("ACCEPTED");
  });

  it("line breaks typed in a comunicazione and in a rejection reason survive in the plain text", async () => {
    const communication = await renderEmail("communication", {
      title: "Scadenze di dicembre",
      paragraphs: ["Prima riga\nseconda riga", "Altro paragrafo"],
      attachment: null,
      unsubscribeUrl: "http://localhost:3000/disiscrizione/x",
    });
    expect(communication.text).toMatch(/Prima riga\nseconda riga/);
    // The way out first, then what stays after it; the link's address ends its line, no "." after it.
    expect(communication.text.replace(/\s+/g, " ")).toContain(
      "Non vuoi più ricevere le comunicazioni del Coordinamento? Disiscriviti http://localhost:3000/disiscrizione/x Anche dopo la disiscrizione riceverai i messaggi di servizio",
    );
    const rejected = await renderEmail("membership-rejected", {
      firstName: "Maria",
      bodyName: "Comune di Cefalù",
      reason: "Manca la delibera.\nInviatela con la nuova scheda.",
      formUrl: "http://localhost:3000/adesione",
    });
    expect(rejected.text).toMatch(/Manca la delibera\.\nInviatela con la nuova scheda\./);
  });

  it("links the web and email addresses typed in a comunicazione, once each in the plain text", async () => {
    const rendered = await renderEmail("communication", {
      title: "Nuovo bando",
      paragraphs: ["Il bando è su https://www.anci.it/bandi?id=3&p=1. Domande a sai@pec.it.\nPer il Comune vedi www.comune.palermo.it."],
      attachment: null,
    });
    expect(rendered.html).toContain('href="https://www.anci.it/bandi?id=3&amp;p=1"');
    expect(rendered.html).toMatch(/<a href="mailto:sai@pec.it"[^>]*>sai@pec.it<\/a>\./);
    // Without "https://" it stays text (its link would repeat it in the plain text).
    expect(rendered.html).not.toContain('href="http://www.comune.palermo.it"');
    expect(rendered.text).toContain("Il bando è su https://www.anci.it/bandi?id=3&p=1. Domande a sai@pec.it.\nPer il Comune vedi www.comune.palermo.it.");
  });

  it("the password reset link sent by an administrator says what to do if unexpected, not «if you did not ask»", async () => {
    const props = previewPropsOf("coordinator-password-reset");
    const sent = (await renderEmail("coordinator-password-reset", { ...props, sentByName: "Marco Russo" })).text.replace(/\s+/g, " ");
    expect(sent).toContain("Marco Russo, amministratore del Coordinamento, ti ha inviato un collegamento");
    expect(sent).toContain(
      "Se non aspettavi questo messaggio, chiedine il motivo a Marco Russo prima di usare il collegamento. Se non lo usi, la password attuale resta valida e il collegamento scade da solo.",
    );
    expect(sent).not.toContain("Se non hai chiesto tu");

    // Asked for at /login/password-dimenticata: the wording stays.
    const asked = (await renderEmail("coordinator-password-reset", { ...props, sentByName: null })).text.replace(/\s+/g, " ");
    expect(asked).toContain("abbiamo ricevuto una richiesta di reimpostare la password");
    expect(asked).toContain("Se non hai chiesto tu di reimpostare la password, ignora questo messaggio: la password attuale resta valida.");
    expect(asked).not.toContain("Se non aspettavi questo messaggio");
  });

  it("gives an attachment's size as the portal's pages do", async () => {
    const attachment = (sizeBytes: number) => ({ fileName: "Vademecum.pdf", storedFileName: "x.pdf", mimeType: "application/pdf", sizeBytes });
    const small = await renderEmail("communication", { title: "Vademecum", paragraphs: ["Testo"], attachment: attachment(250 * 1024) });
    expect(small.text).toContain("In allegato: Vademecum.pdf (250 kB).");
    const large = await renderEmail("communication", { title: "Vademecum", paragraphs: ["Testo"], attachment: attachment(2.5 * 1024 * 1024) });
    expect(large.text).toContain("In allegato: Vademecum.pdf (2,5 MB).");
  });
});

describe("the greeting", () => {
  // The referente's emails: their props carry firstName and, since it was added, lastName.
  const toReferente = Object.keys(emailTemplates).filter((name) => "firstName" in previewPropsOf(name));

  it.each(toReferente)("%s greets the referente by full name, and an email queued before lastName by first name", async (name) => {
    const props = { ...previewPropsOf(name), firstName: "Rosalia", lastName: "Lo Presti" };
    expect((await renderEmail(name, props)).text).toContain("Gentile Rosalia Lo Presti,");
    // An outbox row queued before: the same props without lastName.
    const { lastName: _, ...queuedBefore } = props;
    const { text } = await renderEmail(name, queuedBefore);
    expect(text).toContain("Gentile Rosalia,");
    expect(text).not.toContain("undefined");
  });
});

describe("a reply to an email", () => {
  const replaced = previewPropsOf("referent-replaced");

  it("is invited only when it reaches the coordinators (CONTACT_EMAIL at delivery, the Reply-To)", async () => {
    const withContact = await renderEmail("referent-replaced", replaced, { contactEmail: "coordinamento@anci.example.it" });
    expect(withContact.text.replace(/\s+/g, " ")).toContain(
      "Se non eri a conoscenza di questo cambio, rispondi a questo messaggio o scrivi a coordinamento@anci.example.it.",
    );
    expect(withContact.html).toContain('href="mailto:coordinamento@anci.example.it"');

    const without = await renderEmail("referent-replaced", replaced);
    expect(without.text.replace(/\s+/g, " ")).toContain("Se non eri a conoscenza di questo cambio, scrivi ai coordinatori di ANCI Sicilia.");
    expect(without.text).not.toMatch(/rispond/i);
  });

  it("the emails that ask to warn the coordinators give their address when there is one", async () => {
    for (const [name, sentence] of [
      ["erasure-request-received", "ritirala e avvisa i coordinatori di ANCI Sicilia"],
      ["erasure-completed", "puoi contattare i coordinatori di ANCI Sicilia"],
      ["referent-email-changed", "avvisa subito i coordinatori di ANCI Sicilia"],
    ] as const) {
      const withContact = await renderEmail(name, previewPropsOf(name), { contactEmail: "coordinamento@anci.example.it" });
      expect(withContact.text.replace(/\s+/g, " "), name).toContain(`${sentence} all'indirizzo coordinamento@anci.example.it`);
      expect(withContact.html, name).toContain('href="mailto:coordinamento@anci.example.it"');
      const without = await renderEmail(name, previewPropsOf(name));
      expect(without.text.replace(/\s+/g, " "), name).toContain(sentence);
      expect(without.text, name).not.toContain("all'indirizzo");
    }
  });

  it("is asked for by no email when there is no contact address", async () => {
    for (const name of Object.keys(emailTemplates)) {
      const { text } = await renderEmail(name, previewPropsOf(name));
      expect(text, name).not.toMatch(/rispondi (a|al) quest|rispondendo a quest|rispondere a quest/i);
    }
  });
});
