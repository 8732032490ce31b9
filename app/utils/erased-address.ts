// The addresses that replace an erased person's (app/models/privacy.server.ts). Here, not there, so
// that the outbox can use them (the erasure queues emails through it).

/** The address an anonymised referente row gets: unique per row and undeliverable (RFC 2606 .invalid). */
export const erasedEmail = (referentId: number) => `cancellato-${referentId}@invalid`;

/** Whether an address is one that replaced an erased person's (an email to them keeps no content). */
export const isErasedAddress = (email: string) => /^cancellato-\d+@invalid$/.test(email);

/** The same addresses as a SQL GLOB pattern, for queries that leave them out. */
export const ERASED_ADDRESS_GLOB = "cancellato-[0-9]*@invalid";
