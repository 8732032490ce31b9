import { parsePhoneNumberFromString } from "libphonenumber-js/core";
import { italianPhoneMetadata } from "./phone-metadata.client";
import { allPhoneMetadata } from "./phone-metadata.server";

// Phone numbers of the forms, the same code in the browser and on the server (decision 002) with
// different data: the server knows every country's numbering plan, the browser only Italy's
// (+39, and San Marino's +378): 27 KB less JavaScript on /adesione (issue 7). Each build leaves one
// of the two modules empty; elsewhere (tests, scripts) both load and the complete one is used.
const metadata = allPhoneMetadata ?? italianPhoneMetadata;
const browserSubset = !allPhoneMetadata;

/** A number with another country's international prefix than those the browser knows. */
const FOREIGN = /^\s*(?:\+|00)\s*(?!39|378)\d/;

/**
 * The number in E.164 ("+390911234567") when it is a valid number, Italian unless it says otherwise;
 * null when it is not. In the browser a foreign number cannot be checked: it is let through, as
 * typed, for the server to decide.
 */
export function normalizeItalianPhone(value: string): string | null {
  const parsed = parsePhoneNumberFromString(value, "IT", metadata);
  if (parsed) return parsed.isValid() ? parsed.number : null;
  if (browserSubset && FOREIGN.test(value)) return value.trim();
  return null;
}

/**
 * An Italian number that is not a mobile one (E.164 from normalizeItalianPhone): Italian mobiles
 * start with 3, landlines with 0, free and premium numbers with 8 or 1. A foreign number cannot be
 * told apart in the browser, so it is not judged.
 */
export function isItalianNonMobile(e164: string): boolean {
  return /^\+39[0-24-9]/.test(e164);
}

export const NOT_A_MOBILE_MESSAGE = "Questo è un numero fisso: scrivilo in «Telefono» e qui indica un cellulare (ad esempio 333 1234567), oppure lascia vuoto";

/** Whether the number carries an extension ("091 1234567 int. 22"), which E.164 cannot keep. */
export function hasPhoneExtension(value: string): boolean {
  return !!parsePhoneNumberFromString(value, "IT", metadata)?.ext;
}

export const PHONE_EXTENSION_MESSAGE = "Il portale non conserva l'interno: indica un numero diretto o quello del centralino, senza «int.»";
