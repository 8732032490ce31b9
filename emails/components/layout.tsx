import { Body, Container, Head, Hr, Html, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

const body = { backgroundColor: "#f5f5f0", fontFamily: "'Titillium Web', Geneva, Tahoma, sans-serif", color: "#1a1a1a" };
const container = { backgroundColor: "#ffffff", margin: "24px auto", padding: "24px 32px", maxWidth: "600px" };
const header = { backgroundColor: "#0066cc", color: "#ffffff", padding: "16px 32px", margin: "0 auto", maxWidth: "600px" };
const footer = { fontSize: "12px", color: "#5c6f82", lineHeight: "18px" };

export function EmailLayout({ preview, children }: { preview: string; children: ReactNode }) {
  return (
    <Html lang="it">
      <Head>
        {/* A phone's mail app shows the message at the screen's width rather than shrunk. */}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={body}>
        <Section style={header}>
          <Text style={{ margin: 0, fontSize: "18px", fontWeight: 700 }}>Coordinamento SAI - ANCI Sicilia</Text>
        </Section>
        <Container style={container}>
          {children}
          <Hr />
          <Text style={footer}>
            ANCI Sicilia - Coordinamento dei Comuni siciliani aderenti alla Rete SAI (Sistema di Accoglienza e
            Integrazione). Questo messaggio è stato inviato dal Portale del Coordinamento SAI.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/** The Coordinamento's closing, at the end of the Tavoli's emails. */
export function Signature() {
  return (
    <Text>
      Cordiali saluti,
      <br />
      il Coordinamento SAI - ANCI Sicilia
    </Text>
  );
}

export const button = {
  backgroundColor: "#0066cc",
  color: "#ffffff",
  padding: "12px 20px",
  borderRadius: "4px",
  fontWeight: 600,
  textDecoration: "none",
  display: "inline-block",
};
