/**
 * Codice fiscale of an ente: 11 digits whose last one is the Luhn-style check digit. The first seven
 * are the ente's number at the tax office, which is never 0000000: «00000000000», what people type to
 * get past a required field, passes the check digit but is no one's.
 */
export function isValidBodyFiscalCode(value: string): boolean {
  if (!/^\d{11}$/.test(value) || value.startsWith("0000000")) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let digit = Number(value[i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10 === Number(value[10]);
}
