// A change of a SAI project made on a page loaded before someone else changed it (another
// coordinator in another tab, the referente in the referent area) is refused instead of putting
// back, unseen, the values that page still shows: the forms carry the project's fingerprint.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { saiProjects } from "#db/schema";
import { closeProject, updateProject } from "~/models/referent-area.server";
import { findReferentAccess } from "~/models/referent-session.server";
import {
  closeProjectAsCoordinator,
  PROJECT_CONFLICT_ERROR,
  projectFormValues,
  projectVersionOf,
  reopenProjectAsCoordinator,
  updateProjectAsCoordinator,
} from "~/models/sai-project.server";
import { getDb } from "~/utils/db.server";
import { referentProjectSchema, type ProjectFormValues } from "~/validation/referent-area";
import { createTestCoordinator } from "../../support/admin";
import { projectsOfBody } from "../../support/db-queries";
import { createReferent } from "../../support/referent";

const projectRow = (id: number) => getDb().select().from(saiProjects).where(eq(saiProjects.id, id)).get()!;

/** An approved ente and the project its scheda declared (few enti in this file: no handover of an earlier one). */
async function enteWithProject() {
  const r = await createReferent("active");
  const project = projectsOfBody(r.memberBodyId).find((p) => p.requestId === r.requestId)!;
  expect(project).toMatchObject({ closedAt: null, alreadyRegistered: false });
  return { r, project, ids: { requestId: r.requestId, projectId: project.id } };
}

/** The project's form as the browser would send it, with some fields typed over. */
const typed = (projectId: number, changes: Partial<ProjectFormValues>) =>
  referentProjectSchema.parse({ ...projectFormValues(projectRow(projectId)), ...changes });

describe("a coordinator's change of a project", () => {
  it("is refused when the project changed since the page was loaded, and goes through from a fresh page or when it changes nothing", async () => {
    const { project, ids } = await enteWithProject();
    const [first, second] = [createTestCoordinator(), createTestCoordinator()];
    const shown = projectVersionOf(project);

    // The first tab saves 30 places.
    expect(updateProjectAsCoordinator(getDb(), { ...ids, coordinatorId: first.id, project: typed(project.id, { fundedPlaces: "30" }), version: shown })).toEqual({
      ok: true,
      changed: ["fundedPlaces"],
    });
    // The second tab, loaded before, still shows 25 places: its save would put them back.
    const stale = { ...projectFormValues(project), managingOrganization: "Cooperativa Altra" };
    expect(updateProjectAsCoordinator(getDb(), { ...ids, coordinatorId: second.id, project: referentProjectSchema.parse(stale), version: shown })).toEqual({
      ok: false,
      reason: "conflict",
      error: PROJECT_CONFLICT_ERROR,
    });
    expect(projectRow(project.id)).toMatchObject({ fundedPlaces: 30, managingOrganization: project.managingOrganization });

    // The same values as recorded now write nothing: no reason to refuse them.
    expect(updateProjectAsCoordinator(getDb(), { ...ids, coordinatorId: second.id, project: typed(project.id, {}), version: shown })).toEqual({ ok: true, changed: [] });
    // Reloaded, the page carries the current version.
    const fresh = projectVersionOf(projectRow(project.id));
    expect(
      updateProjectAsCoordinator(getDb(), { ...ids, coordinatorId: second.id, project: typed(project.id, { managingOrganization: "Cooperativa Altra" }), version: fresh }),
    ).toEqual({ ok: true, changed: ["managingOrganization"] });
    expect(projectRow(project.id)).toMatchObject({ fundedPlaces: 30, managingOrganization: "Cooperativa Altra" });
  });

  it("closing is refused after the project was corrected meanwhile, and reopening after it was reopened and closed again on another day", async () => {
    const { project, ids } = await enteWithProject();
    const coordinatorId = createTestCoordinator().id;
    const shown = projectVersionOf(project);
    updateProjectAsCoordinator(getDb(), { ...ids, coordinatorId, project: typed(project.id, { endDate: "2031-12-31" }), version: shown });
    expect(closeProjectAsCoordinator(getDb(), { ...ids, coordinatorId, closedOn: "2025-06-30", version: shown })).toEqual({
      ok: false,
      reason: "conflict",
      error: PROJECT_CONFLICT_ERROR,
    });
    expect(projectRow(project.id).closedAt).toBeNull();
    expect(closeProjectAsCoordinator(getDb(), { ...ids, coordinatorId, closedOn: "2025-06-30", version: projectVersionOf(projectRow(project.id)) })).toEqual({ ok: true });

    // A page showing it closed on 30/06/2025; meanwhile another tab reopens it and closes it on 31/07/2025.
    const closedShown = projectVersionOf(projectRow(project.id));
    expect(reopenProjectAsCoordinator(getDb(), { ...ids, coordinatorId, version: closedShown })).toEqual({ ok: true });
    expect(closeProjectAsCoordinator(getDb(), { ...ids, coordinatorId, closedOn: "2025-07-31", version: projectVersionOf(projectRow(project.id)) })).toEqual({ ok: true });
    const closedAgain = projectRow(project.id).closedAt;
    expect(reopenProjectAsCoordinator(getDb(), { ...ids, coordinatorId, version: closedShown })).toEqual({ ok: false, reason: "conflict", error: PROJECT_CONFLICT_ERROR });
    expect(projectRow(project.id).closedAt).toEqual(closedAgain);
    expect(reopenProjectAsCoordinator(getDb(), { ...ids, coordinatorId, version: projectVersionOf(projectRow(project.id)) })).toEqual({ ok: true });
    expect(projectRow(project.id).closedAt).toBeNull();
  });
});

describe("the referente's change of a project", () => {
  it("is refused, as its closure, after a coordinator corrected the project meanwhile; from a fresh page it goes through", async () => {
    const { r, project, ids } = await enteWithProject();
    const access = findReferentAccess(getDb(), { referentId: r.referentId })!;
    const shown = projectVersionOf(project);
    updateProjectAsCoordinator(getDb(), { ...ids, coordinatorId: createTestCoordinator().id, project: typed(project.id, { fundedPlaces: "40" }), version: shown });

    const stale = referentProjectSchema.parse({ ...projectFormValues(project), projectCode: "PROG-1776-PR-9" });
    expect(updateProject(getDb(), { access, projectId: project.id, project: stale, version: shown })).toEqual({ ok: false, reason: "conflict" });
    expect(closeProject(getDb(), { access, projectId: project.id, confirmed: true, version: shown })).toEqual({ ok: false, reason: "conflict" });
    expect(projectRow(project.id)).toMatchObject({ fundedPlaces: 40, projectCode: project.projectCode, closedAt: null });

    const fresh = projectVersionOf(projectRow(project.id));
    expect(updateProject(getDb(), { access, projectId: project.id, project: typed(project.id, { projectCode: "PROG-1776-PR-9" }), version: fresh })).toEqual({
      ok: true,
      projectId: project.id,
    });
    expect(closeProject(getDb(), { access, projectId: project.id, confirmed: true, version: projectVersionOf(projectRow(project.id)) })).toEqual({
      ok: true,
      projectId: project.id,
    });
  });
});
