import type { ComponentType } from "react";
import * as communication from "./communication";
import * as confirmRegistration from "./confirm-registration";
import * as coordinatorInvitation from "./coordinator-invitation";
import * as membershipApproved from "./membership-approved";
import * as membershipRejected from "./membership-rejected";
import * as referentReplaced from "./referent-replaced";
import * as registrationAwaitingApproval from "./registration-awaiting-approval";

export type EmailAttachment = { filename: string; content: string; contentType: string };

/**
 * A template module: the component, its subject and, optionally, attachments built from the same
 * props at delivery time (for example an .ics invitation), so the outbox stores only the props.
 */
type Template<P> = { default: ComponentType<P>; subject: (props: P) => string; attachments?: (props: P) => EmailAttachment[] };

/** Every email the portal sends, by the name stored in the outbox. */
export const emailTemplates = {
  "confirm-registration": confirmRegistration as Template<confirmRegistration.ConfirmRegistrationProps>,
  "registration-awaiting-approval":
    registrationAwaitingApproval as Template<registrationAwaitingApproval.RegistrationAwaitingApprovalProps>,
  "membership-approved": membershipApproved as Template<membershipApproved.MembershipApprovedProps>,
  "membership-rejected": membershipRejected as Template<membershipRejected.MembershipRejectedProps>,
  "referent-replaced": referentReplaced as Template<referentReplaced.ReferentReplacedProps>,
  "coordinator-invitation": coordinatorInvitation as Template<coordinatorInvitation.CoordinatorInvitationProps>,
  communication: communication as Template<communication.CommunicationProps>,
};

export type EmailTemplateName = keyof typeof emailTemplates;
export type EmailProps<T extends EmailTemplateName> = (typeof emailTemplates)[T] extends Template<infer P> ? P : never;
