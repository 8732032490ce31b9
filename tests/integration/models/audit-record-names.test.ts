import { describe, expect, it } from "vitest";
import { auditRecordNames, ownActivityRecordNames } from "~/models/audit-record-names.server";
import { saveCommunicationDraft } from "~/models/communication.server";
import { addLinkMaterial } from "~/models/material.server";
import { recordNameKey } from "~/utils/audit-labels";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { createTestCoordinator } from "../../support/admin";
import { createReferent } from "../../support/referent";
import { createTestRoundTable } from "../../support/round-tables";

// The log names what an entry touched; ids mean nothing to the people reading it.
describe("auditRecordNames", () => {
  it("names materials and comunicazioni, and a record that no longer exists not at all", async () => {
    const coordinator = createTestCoordinator({ name: "Nicola Greco" });
    const rt = createTestRoundTable(coordinator.id, { number: "4", title: "Salute mentale" }, { publish: false });
    const material = addLinkMaterial(getDb(), {
      roundTableId: rt.id,
      input: { kind: "video", title: "Registrazione dell'incontro", curatedBy: null, url: "https://www.youtube.com/watch?v=abc", visibility: "public" },
      coordinatorId: coordinator.id,
    });
    if (!material.ok) throw new Error("material not added");
    const draft = await saveCommunicationDraft(getDb(), {
      input: { subject: "Circolare sui rinnovi", body: "Testo", provinceCodes: [], categories: [] },
      coordinatorId: coordinator.id,
      uploadsDir: getEnv().uploadsDir,
    });
    if (!draft.ok) throw new Error("draft not saved");
    const names = auditRecordNames(getDb(), {
      entries: [
        { entityType: "communication", entityId: String(draft.id), details: { materialIds: [material.id] } },
        { entityType: "round_table", entityId: String(rt.id), details: null },
        { entityType: "member_body", entityId: "999999", details: { referentId: 999998 } },
      ],
    });
    expect(names).toEqual({
      [recordNameKey("communication", draft.id)]: "Comunicazione «Circolare sui rinnovi»",
      [recordNameKey("material", material.id)]: "«Registrazione dell'incontro»",
      [recordNameKey("round_table", rt.id)]: "4° Tavolo tecnico - Salute mentale",
    });
  });

  it("names only the kinds asked for", async () => {
    const ente = await createReferent("active");
    const entries = [{ entityType: "membership_request", entityId: String(ente.requestId), details: { memberBodyId: ente.memberBodyId } }];
    expect(Object.keys(auditRecordNames(getDb(), { entries, kinds: ["member_body"] }))).toEqual([recordNameKey("member_body", ente.memberBodyId)]);
  });
});

describe("ownActivityRecordNames", () => {
  it("names the person themself and not another referente", async () => {
    const me = await createReferent("active", { firstName: "Carmela", lastName: "Russo" });
    const someoneElse = await createReferent("active", { firstName: "Salvatore", lastName: "Ferro" });
    const names = ownActivityRecordNames(getDb(), {
      entries: [{ entityType: "referent", entityId: String(me.referentId), details: { previousReferentId: someoneElse.referentId } }],
      ownReferentIds: [me.referentId],
    });
    expect(names[recordNameKey("referent", me.referentId)]).toBe("Carmela Russo (referente)");
    expect(names[recordNameKey("referent", someoneElse.referentId)]).toBe("un altro referente");
    expect(JSON.stringify(names)).not.toContain("Ferro");
  });
});
