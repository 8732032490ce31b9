import { Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { formatFileSize } from "~/utils/text";
import { EmailLayout } from "./components/layout";
import { MultilineText } from "./components/multiline-text";
import type { UploadedAttachment } from "./index";

export type CommunicationProps = {
  title: string;
  paragraphs: string[];
  attachment?: { fileName: string; storedFileName: string; mimeType: string; sizeBytes: number } | null;
  /** Added by the delivery worker to every non-essential email. */
  unsubscribeUrl?: string;
};

export const subject = (p: CommunicationProps) => p.title;

export const uploadedAttachments = (p: CommunicationProps): UploadedAttachment[] =>
  p.attachment ? [{ filename: p.attachment.fileName, contentType: p.attachment.mimeType, storedFileName: p.attachment.storedFileName }] : [];

/** A comunicazione from the Coordinamento: non-essential, so it always offers a way out. */
export function CommunicationEmail(p: CommunicationProps) {
  return (
    <EmailLayout preview={p.title}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        {p.title}
      </Heading>
      <Text>Gentile referente,</Text>
      {p.paragraphs.map((paragraph, i) => (
        <MultilineText key={i} text={paragraph} />
      ))}
      {p.attachment ? (
        <Text>{`In allegato: ${p.attachment.fileName} (${formatFileSize(p.attachment.sizeBytes)}).`}</Text>
      ) : null}
      {p.unsubscribeUrl ? (
        <>
          {/* The link last in its paragraph: its address follows it in the plain text, and a "." there would go into the link. */}
          <Text style={{ fontSize: "12px", color: "#5c6f82", marginBottom: 0 }}>
            Non vuoi più ricevere le comunicazioni del Coordinamento? <Link href={p.unsubscribeUrl}>Disiscriviti</Link>
          </Text>
          <Text style={{ fontSize: "12px", color: "#5c6f82", marginTop: "4px" }}>
            Anche dopo la disiscrizione riceverai i messaggi di servizio (inviti ai Tavoli tecnici ed esito delle richieste).
          </Text>
        </>
      ) : null}
    </EmailLayout>
  );
}

CommunicationEmail.PreviewProps = {
  title: "Pubblicato il vademecum sull'accoglienza",
  paragraphs: ["È disponibile il nuovo vademecum di ANCI sui provvedimenti per l'accoglienza.", "Lo trovate in allegato."],
  attachment: { fileName: "vademecum-accoglienza.pdf", storedFileName: "0123456789abcdef0123456789abcdef", mimeType: "application/pdf", sizeBytes: 482_000 },
  unsubscribeUrl: "http://localhost:3000/disiscrizione/esempio",
} satisfies CommunicationProps;

export default CommunicationEmail;
