import { Text } from "@react-email/components";

/**
 * Who an email greets: `name`, a full name (null when the recipient is not a known person), or a
 * referente's `firstName` and `lastName`. The referente's emails queued before their props carried
 * the last name have only the first.
 */
export type GreetingProps = { name: string | null } | { firstName: string; lastName?: string };

function greeted(p: GreetingProps) {
  if ("name" in p) return p.name || "collega";
  return p.lastName ? `${p.firstName} ${p.lastName}` : p.firstName;
}

/** The opening of every email to one person: «Gentile Nome Cognome,» («Gentile collega,» when unknown). */
export function Greeting(p: GreetingProps) {
  return <Text>{`Gentile ${greeted(p)},`}</Text>;
}
