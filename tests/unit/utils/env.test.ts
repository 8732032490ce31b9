import { describe, expect, it } from "vitest";
import { getStoragePaths, InvalidEnvironmentError, mailFromAddress, parseEnv } from "~/utils/env.server";

const PRODUCTION = {
  NODE_ENV: "production",
  SESSION_SECRET: "x".repeat(40),
  APP_URL: "https://sai.example.org",
  SMTP_URL: "smtp://mail.example.org:587",
  MAIL_FROM: "noreply@sai.example.org",
};

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

  it("takes HOST as an address or a name to listen on, unset by default (every interface)", () => {
    expect(parseEnv({}).HOST).toBeUndefined();
    expect(parseEnv({ HOST: "127.0.0.1" }).HOST).toBe("127.0.0.1");
    expect(parseEnv({ HOST: "::1" }).HOST).toBe("::1");
    expect(failure({ HOST: "http://127.0.0.1/" })).toMatch(/HOST deve essere un indirizzo IP di questa macchina/);
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
      parseEnv({ ...PRODUCTION, SMTP_URL: "smtp://mail.example.org:587" }),
    ).not.toThrow();
  });

  describe("in production", () => {
    it("refuses MAIL_FROM left on an @localhost address, naming it", () => {
      const { MAIL_FROM: _, ...withoutMailFrom } = PRODUCTION;
      expect(failure(withoutMailFrom)).toMatch(/^Impostazioni non valide:\n {2}- MAIL_FROM va impostata in produzione: con un indirizzo @localhost/);
      expect(failure({ ...PRODUCTION, MAIL_FROM: "SAI <noreply@LOCALHOST>" })).toContain("MAIL_FROM va impostata in produzione");
      // Outside production the local default stays.
      expect(failure({ ...PRODUCTION, NODE_ENV: "development", MAIL_FROM: undefined })).toBeNull();
    });

    it("refuses an http:// APP_URL other than this machine's (cookies would not be Secure)", () => {
      expect(failure({ ...PRODUCTION, APP_URL: "http://sai.example.org" })).toContain("APP_URL deve iniziare con https:// in produzione");
      for (const local of ["http://localhost:3000", "http://127.0.0.1:3951", "http://[::1]:3000"]) expect(failure({ ...PRODUCTION, APP_URL: local }), local).toBeNull();
      expect(failure({ ...PRODUCTION, NODE_ENV: "development", APP_URL: "http://sai.example.org" })).toBeNull();
    });
  });

  describe("APP_URL", () => {
    it("refuses a path (every email link would lose it), but takes a trailing slash alone", () => {
      for (const value of ["https://sai.example.org/portale/", "https://sai.example.org/portale", "https://sai.example.org/?x=1", "https://sai.example.org/#a"]) {
        expect(failure({ APP_URL: value }), value).toContain("APP_URL deve essere solo l'indirizzo del sito, senza percorso");
      }
      expect(parseEnv({ APP_URL: "https://sai.example.org/" }).appUrl).toBe("https://sai.example.org");
      expect(parseEnv({ APP_URL: "https://sai.example.org:8443" }).appUrl).toBe("https://sai.example.org:8443");
    });
  });

  describe("SMTP_URL", () => {
    it("refuses a password with an unencoded # or /, without repeating it, and says how to encode it", () => {
      for (const value of ["smtp://user:p@ss#w0rd@host.example.org:587", "smtp://user:12/segreta@host.example.org:587", "smtps://user:1?x@y@host.example.org", "smtp://user:100%zz@host.example.org"]) {
        const message = failure({ SMTP_URL: value });
        expect(message, value).toContain("SMTP_URL non è interpretabile: se utente o password contengono caratteri speciali, scrivili codificati: @ come %40, # come %23, : come %3A, / come %2F");
        expect(message, value).not.toMatch(/w0rd|segreta|host\.example/);
      }
      const unparsable = failure({ SMTP_URL: "smtp://user:pa/ss@host.example.org:587" });
      expect(unparsable).toContain("SMTP_URL non è un indirizzo valido, come smtp://utente:password@host:587 (se utente o password contengono caratteri speciali");
      expect(unparsable).not.toContain("pa/ss");
    });

    it("takes encoded credentials, an @ left in the password, a trailing slash and query options", () => {
      for (const value of ["smtp://user%40ente.it:p%40ss%23w0rd@host.example.org:587", "smtp://user:p@ss@host.example.org:587", "smtps://host.example.org:465/", "smtp://host.example.org:25?pool=true"]) {
        expect(failure({ SMTP_URL: value }), value).toBeNull();
      }
    });
  });

  describe("TRUST_PROXY", () => {
    it("is loopback unless set; takes a number of proxies or a list of addresses, networks and names", () => {
      expect(parseEnv({}).TRUST_PROXY).toBe("loopback");
      expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
      expect(parseEnv({ TRUST_PROXY: " 10.0.0.5 , 192.168.0.0/16, loopback, fd00::/8, 10.1.0.0/255.255.0.0, uniquelocal" }).TRUST_PROXY).toBe(
        "10.0.0.5,192.168.0.0/16,loopback,fd00::/8,10.1.0.0/255.255.0.0,uniquelocal",
      );
    });

    it("refuses anything else, naming the bad items, and trusting everyone", () => {
      expect(failure({ TRUST_PROXY: "10.0.0.5, proxy.example.org, 10.0.0.0/33" })).toContain(
        'TRUST_PROXY "proxy.example.org", "10.0.0.0/33" non è un valore valido: indica il numero di proxy davanti al portale',
      );
      for (const value of ["true", "-1", "10.0.0.5,", "1.5"]) expect(failure({ TRUST_PROXY: value }), value).toContain("TRUST_PROXY");
    });
  });

  it("reads only DATA_DIR and DATABASE_PATH for the backup commands, whatever else is missing or wrong", () => {
    const paths = getStoragePaths({ NODE_ENV: "production", DATA_DIR: "/srv/sai", APP_URL: "https://sai.example.org/portale/", PORT: "x" });
    expect(paths).toEqual({ dataDir: "/srv/sai", databasePath: "/srv/sai/portale.db" });
    expect(getStoragePaths({ DATABASE_PATH: "/srv/db/sai.db" }).databasePath).toBe("/srv/db/sai.db");
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
