import { describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server";

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

  it("uses secure cookies whenever APP_URL is https", () => {
    expect(parseEnv({ APP_URL: "https://sai.example.org" }).secureCookies).toBe(true);
  });

  it("names every bad value", () => {
    expect(() => parseEnv({ PORT: "tremila", SMTP_URL: "http://x", ADMIN_EMAIL: "nope", ADMIN_PASSWORD: "corta" })).toThrowError(
      /PORT must be a number[\s\S]*SMTP_URL must start with smtp[\s\S]*ADMIN_EMAIL must be an email address[\s\S]*ADMIN_PASSWORD must be at least 12/,
    );
  });

  it("requires the production settings in production", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrowError(/SESSION_SECRET is required in production[\s\S]*APP_URL is required[\s\S]*SMTP_URL is required/);
    expect(() =>
      parseEnv({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40), APP_URL: "https://sai.example.org", SMTP_URL: "smtp://mail.example.org:587" }),
    ).not.toThrow();
  });
});
