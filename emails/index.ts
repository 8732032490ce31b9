import type { ComponentType } from "react";
import * as communication from "./communication";
import * as confirmRegistration from "./confirm-registration";
import * as coordinatorInvitation from "./coordinator-invitation";
import * as coordinatorPasswordChanged from "./coordinator-password-changed";
import * as coordinatorEmailChanged from "./coordinator-email-changed";
import * as coordinatorPasswordReset from "./coordinator-password-reset";
import * as membershipApproved from "./membership-approved";
import * as membershipRejected from "./membership-rejected";
import * as membershipRevoked from "./membership-revoked";
import * as referentEmailChanged from "./referent-email-changed";
import * as referentReplaced from "./referent-replaced";
import * as registrationAwaitingApproval from "./registration-awaiting-approval";
import * as roundTableInvitation from "./round-table-invitation";
import * as roundTableReminder from "./round-table-reminder";
import * as referentLoginCode from "./referent-login-code";
import * as referentEmailChange from "./referent-email-change";
import * as handoverProposal from "./handover-proposal";
import * as roundTableUpdated from "./round-table-updated";
import * as roundTableRejoined from "./round-table-rejoined";
import * as roundTableCancelled from "./round-table-cancelled";
import * as materialsAvailable from "./materials-available";
import * as erasureRequested from "./erasure-requested";
import * as erasureRequestReceived from "./erasure-request-received";
import * as erasureCompleted from "./erasure-completed";

export type EmailAttachment = { filename: string; content: string; contentType: string };
/** A file kept in the uploads folder under its random name, read by the worker when it sends. */
export type UploadedAttachment = { filename: string; contentType: string; storedFileName: string };

/**
 * A template module: the component, its subject and, optionally, attachments built from the same
 * props at delivery time (for example an .ics invitation), so the outbox stores only the props.
 */
type Template<P> = {
  default: ComponentType<P>;
  subject: (props: P) => string;
  attachments?: (props: P) => EmailAttachment[];
  uploadedAttachments?: (props: P) => UploadedAttachment[];
};

/** Every email the portal sends, by the name stored in the outbox. */
export const emailTemplates = {
  "confirm-registration": confirmRegistration as Template<confirmRegistration.ConfirmRegistrationProps>,
  "registration-awaiting-approval":
    registrationAwaitingApproval as Template<registrationAwaitingApproval.RegistrationAwaitingApprovalProps>,
  "membership-approved": membershipApproved as Template<membershipApproved.MembershipApprovedProps>,
  "membership-rejected": membershipRejected as Template<membershipRejected.MembershipRejectedProps>,
  "membership-revoked": membershipRevoked as Template<membershipRevoked.MembershipRevokedProps>,
  "referent-replaced": referentReplaced as Template<referentReplaced.ReferentReplacedProps>,
  "coordinator-invitation": coordinatorInvitation as Template<coordinatorInvitation.CoordinatorInvitationProps>,
  "coordinator-password-reset": coordinatorPasswordReset as Template<coordinatorPasswordReset.CoordinatorPasswordResetProps>,
  "coordinator-password-changed": coordinatorPasswordChanged as Template<coordinatorPasswordChanged.CoordinatorPasswordChangedProps>,
  "coordinator-email-changed": coordinatorEmailChanged as Template<coordinatorEmailChanged.CoordinatorEmailChangedProps>,
  communication: communication as Template<communication.CommunicationProps>,
  "round-table-invitation": roundTableInvitation as Template<roundTableInvitation.RoundTableInvitationProps>,
  "round-table-reminder": roundTableReminder as Template<roundTableReminder.RoundTableReminderProps>,
  "referent-login-code": referentLoginCode as Template<referentLoginCode.ReferentLoginCodeProps>,
  "referent-email-change": referentEmailChange as Template<referentEmailChange.ReferentEmailChangeProps>,
  "referent-email-changed": referentEmailChanged as Template<referentEmailChanged.ReferentEmailChangedProps>,
  "handover-proposal": handoverProposal as Template<handoverProposal.HandoverProposalProps>,
  "round-table-updated": roundTableUpdated as Template<roundTableUpdated.RoundTableUpdatedProps>,
  "round-table-rejoined": roundTableRejoined as Template<roundTableRejoined.RoundTableRejoinedProps>,
  "round-table-cancelled": roundTableCancelled as Template<roundTableCancelled.RoundTableCancelledProps>,
  "materials-available": materialsAvailable as Template<materialsAvailable.MaterialsAvailableProps>,
  "erasure-requested": erasureRequested as Template<erasureRequested.ErasureRequestedProps>,
  "erasure-request-received": erasureRequestReceived as Template<erasureRequestReceived.ErasureRequestReceivedProps>,
  "erasure-completed": erasureCompleted as Template<erasureCompleted.ErasureCompletedProps>,
};

export type EmailTemplateName = keyof typeof emailTemplates;
export type EmailProps<T extends EmailTemplateName> = (typeof emailTemplates)[T] extends Template<infer P> ? P : never;
