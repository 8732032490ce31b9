import { Button, Heading, Link, Text } from "@react-email/components";
import { EmailLayout, Signature, button } from "./components/layout";
import { PREVIEW_ROUND_TABLE, roundTableName, roundTableWhen, type RoundTableEmailInfo } from "./components/round-table-details";

export type MaterialsAvailableProps = {
  recipientName: string | null;
  recipientEmail: string;
  appUrl: string;
  roundTable: RoundTableEmailInfo;
  material: {
    title: string;
    /** "Slides" or "Video". */
    kindLabel: string;
    curatedBy: string | null;
    visibility: "public" | "members";
    /** The download or the link, for public materials; null for members-only ones. */
    url: string | null;
  };
  /** The round table's public page. */
  pageUrl: string;
};

export const subject = (p: MaterialsAvailableProps) => `Materiali disponibili: ${roundTableName(p.roundTable)}`;

export function MaterialsAvailableEmail(p: MaterialsAvailableProps) {
  const rt = p.roundTable;
  const m = p.material;
  return (
    <EmailLayout preview={`${m.kindLabel} del ${roundTableName(rt)}`}>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Materiali disponibili
      </Heading>
      <Text>Gentile {p.recipientName ?? "collega"},</Text>
      <Text>
        sono disponibili nuovi materiali del Tavolo tecnico «{rt.title}» che si è svolto {roundTableWhen(rt)}:
      </Text>
      <Text style={{ fontWeight: 700 }}>
        {m.kindLabel}: {m.title}
        {m.curatedBy ? ` (a cura di ${m.curatedBy})` : ""}
      </Text>
      {m.url ? (
        <Button href={m.url} style={button}>
          Apri il materiale
        </Button>
      ) : (
        // The address ends the sentence: a mail program would take a "." after it into the link.
        <Text>
          Il materiale è riservato agli enti aderenti al Coordinamento. Per scaricarlo accedi all'area referente:{" "}
          <Link href={`${p.appUrl}/area-referente`}>{`${p.appUrl}/area-referente`}</Link>
        </Text>
      )}
      <Text>
        Tutti i materiali dell'incontro sono nella pagina del Tavolo tecnico: <Link href={p.pageUrl}>{p.pageUrl}</Link>
      </Text>
      <Signature />
    </EmailLayout>
  );
}

MaterialsAvailableEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  appUrl: "http://localhost:3000",
  roundTable: PREVIEW_ROUND_TABLE,
  material: { title: "Video dell'incontro", kindLabel: "Video", curatedBy: null, visibility: "public", url: "https://www.youtube.com/watch?v=esempio" },
  pageUrl: "http://localhost:3000/tavoli-tecnici/7",
} satisfies MaterialsAvailableProps;

export default MaterialsAvailableEmail;
