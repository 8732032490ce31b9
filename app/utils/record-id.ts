/** A record's id as it appears in an address or a form (digits only, at most 9), or null. */
export const parseRecordId = (value: string | null | undefined) => (value && /^\d{1,9}$/.test(value) ? Number(value) : null);
