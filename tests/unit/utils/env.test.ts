import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError, mailFromAddress, parseEnv } from "~/utils/env.server";

/** The message parseEnv throws for `raw`, or null when it is valid. */
function failure(raw: Record<string, string | undefined>) {
  try {
    parseEnv(raw);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    return (error as Error).message;
  }
}

describe("settings", () => {
  it("has working defaults for a local start", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.appUrl).toBe("http://localhost:3000");
    expect(env.secureCookies).toBe(false);
    expect(env.databasePath).toMatch(/data\/portale\.db$/);
    expect(env.regions).toEqual(["Sicilia"]);
    expect(env.SMTP_URL).toBeUndefined();
  });

  it("takes the earlier session secrets as a comma-separated list, each as long as SESSION_SECRET must be", () => {
    const [a, b] = ["a".repeat(32), "b".repeat(40)];
    expect(parseEnv({}).SESSION_SECRET_PREVIOUS).toBeUndefined();
    expect(parseEnv({ SESSION_SECRET_PREVIOUS: ` ${a} , ${b},` }).SESSION_SECRET_PREVIOUS).toEqual([a, b]);
    expect(failure({ SESSION_SECRET_PREVIOUS: `${a},corto` })).toMatch(/SESSION_SECRET_PREVIOUS ogni segreto precedente deve avere almeno 32 caratteri/);
  });

  it("takes the coordinators' contact address, optional, in lower case; refuses anything that is not an address", () => {
    expect(parseEnv({}).contactEmail).toBeNull();
    expect(parseEnv({ CONTACT_EMAIL: " Coordinamento.SAI@Anci.example.it " }).contactEmail).toBe("coordinamento.sai@anci.example.it");
    expect(failure({ CONTACT_EMAIL: "coordinamento" })).toMatch(/CONTACT_EMAIL deve essere un indirizzo email, come coordinamento\.sai@anci\.sicilia\.it/);
  });

  it("uses secure cookies whenever APP_URL is https", () => {
    expect(parseEnv({ APP_URL: "https://sai.example.org" }).secureCookies).toBe(true);
  });

  it("names every bad value", () => {
    expect(() => parseEnv({ PORT: "tremila", SMTP_URL: "http://x", ADMIN_EMAIL: "nope", ADMIN_PASSWORD: "corta" })).toThrowError(
      /PORT deve essere un numero[\s\S]*SMTP_URL deve iniziare con smtp[\s\S]*ADMIN_EMAIL deve essere un indirizzo email[\s\S]*ADMIN_PASSWORD deve avere almeno 12/,
    );
  });

  it("requires the production settings in production", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrowError(/SESSION_SECRET va impostata in produzione[\s\S]*APP_URL va impostata[\s\S]*SMTP_URL va impostata/);
    expect(() =>
      parseEnv({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), APP_URL: "https://sai.example.org", SMTP_URL: "smtp://mail.example.org:587" }),
    ).not.toThrow();
  });

  describe("MAIL_FROM", () => {
    it("accepts an address, alone or with a name (quoted or not)", () => {
      expect(parseEnv({}).MAIL_FROM).toBe("Coordinamento SAI - ANCI Sicilia <noreply@localhost>");
      for (const value of [
        "noreply@comune.esempio.it",
        "Coordinamento SAI <noreply@comune.esempio.it>",
        '"Coordinamento SAI - ANCI Sicilia" <noreply@anci.sicilia.it>',
        '"Rossi, Maria" <maria.rossi@comune.esempio.it>',
        "<noreply@comune.esempio.it>",
        "  Coordinamento SAI <noreply@comune.esempio.it>  ",
      ]) {
        expect(failure({ MAIL_FROM: value }), value).toBeNull();
      }
      expect(parseEnv({ MAIL_FROM: " Coordinamento <noreply@comune.esempio.it> " }).MAIL_FROM).toBe("Coordinamento <noreply@comune.esempio.it>");
      expect(mailFromAddress('"Rossi, Maria" <maria.rossi@comune.esempio.it>')).toBe("maria.rossi@comune.esempio.it");
    });

    it("refuses anything else with an Italian message naming the setting and the value", () => {
      for (const value of ["noreply", "Coordinamento SAI", "Coordinamento <noreply>", "a@b.it, c@d.it", "Nome <a@b.it> altro", "Nome a@b.it", "<>", "a@@b.it"]) {
        const message = failure({ MAIL_FROM: value });
        expect(message, value).toContain(`- MAIL_FROM "${value}" non è un mittente valido: indica un indirizzo email, come noreply@comune.esempio.it`);
      }
      expect(failure({ MAIL_FROM: "" })).toContain("- MAIL_FROM è vuoto: indica l'indirizzo email del mittente");
      expect(failure({ MAIL_FROM: "   " })).toContain("- MAIL_FROM è vuoto");
    });
  });

  describe("REGION", () => {
    it("reads one or more regions whatever the case and accents, or all of them", () => {
      expect(parseEnv({ REGION: "sicilia" }).regions).toEqual(["Sicilia"]);
      expect(parseEnv({ REGION: "Sicilia, calabria ,VALLE D'AOSTA" }).regions).toEqual(["Sicilia", "Calabria", "Valle d'Aosta"]);
      expect(parseEnv({ REGION: "Sicilia,Sicilia" }).regions).toEqual(["Sicilia"]);
      const all = parseEnv({ REGION: "tutte" }).regions;
      expect(all).toHaveLength(20);
      expect(all).toContain("Lombardia");
    });

    it("refuses an unknown region with the message of the settings, listing the valid names", () => {
      const message = failure({ REGION: "Sicilia,Padania" });
      expect(message).toMatch(/^Impostazioni non valide:\n {2}- REGION "Padania" non è una regione italiana\. Valori ammessi/);
      expect(message).toContain("Abruzzo, Basilicata, Calabria");
      expect(message).toContain('Sicilia, Toscana, Trentino-Alto Adige, Umbria, Valle d\'Aosta, Veneto; oppure "tutte"');
      expect(failure({ REGION: "Atlantide, Lemuria" })).toContain('REGION "Atlantide", "Lemuria" non sono regioni italiane');
      expect(failure({ REGION: " , " })).toContain("REGION è vuota");
    });

    it("is reported with the other bad values, not as a separate error", () => {
      const message = failure({ REGION: "Padania", MAIL_FROM: "boh", PORT: "x" });
      expect(message).toMatch(/PORT deve essere un numero[\s\S]*MAIL_FROM "boh" non è un mittente valido[\s\S]*REGION "Padania"/);
    });
  });
});
