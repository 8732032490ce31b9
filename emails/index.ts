import type { ComponentType } from "react";
import * as confirmRegistration from "./confirm-registration";
import * as membershipApproved from "./membership-approved";
import * as membershipRejected from "./membership-rejected";
import * as referentReplaced from "./referent-replaced";
import * as registrationAwaitingApproval from "./registration-awaiting-approval";

type Template<P> = { default: ComponentType<P>; subject: (props: P) => string };

/** Every email the portal sends, by the name stored in the outbox. */
export const emailTemplates = {
  "confirm-registration": confirmRegistration as Template<confirmRegistration.ConfirmRegistrationProps>,
  "registration-awaiting-approval":
    registrationAwaitingApproval as Template<registrationAwaitingApproval.RegistrationAwaitingApprovalProps>,
  "membership-approved": membershipApproved as Template<membershipApproved.MembershipApprovedProps>,
  "membership-rejected": membershipRejected as Template<membershipRejected.MembershipRejectedProps>,
  "referent-replaced": referentReplaced as Template<referentReplaced.ReferentReplacedProps>,
};

export type EmailTemplateName = keyof typeof emailTemplates;
export type EmailProps<T extends EmailTemplateName> = (typeof emailTemplates)[T] extends Template<infer P> ? P : never;
