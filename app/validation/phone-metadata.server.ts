// Every country's numbering plan (libphonenumber-js min metadata), for the server: it validates and
// normalises all numbers, Italian or not. The browser bundle gets an empty module instead and uses
// phone-metadata.client.ts (see phone.ts).
import type { MetadataJson } from "libphonenumber-js/core";
import metadata from "libphonenumber-js/metadata.min.json";

export const allPhoneMetadata = metadata as unknown as MetadataJson;
