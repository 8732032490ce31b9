/**
 * A record's id as it appears in an address or a form, or null: its digits only, as the portal
 * writes them (no sign, spaces, leading zeros, hexadecimal or exponent), at most 9 of them.
 */
export const parseRecordId = (value: string | null | undefined) => (value && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null);
