import { Button, Heading, Text } from "@react-email/components";
import { Link } from "./components/link";
import { Greeting } from "./components/greeting";
import { EmailLayout, Signature, button } from "./components/layout";
import { PREVIEW_ROUND_TABLE, roundTableName, roundTableWhen, type RoundTableEmailInfo } from "./components/round-table-details";

export type MaterialNotice = {
  title: string;
  /** "Slides" or "Video". */
  kindLabel: string;
  curatedBy: string | null;
  visibility: "public" | "members";
  /**
   * The download or the link for a public material; for a members-only one, the sign-in of the
   * referent area that then opens it. Null in emails queued before members-only ones had it.
   */
  url: string | null;
};

export type MaterialsAvailableProps = {
  recipientName: string | null;
  recipientEmail: string;
  appUrl: string;
  roundTable: RoundTableEmailInfo;
  /** Those this invitee may open, announced together (e.g. the slides sent before the meeting). */
  materials: MaterialNotice[];
  /** Emails queued before several materials went in one email carry a single one. */
  material?: MaterialNotice;
  /** The round table's public page. */
  pageUrl: string;
};

export const subject = (p: MaterialsAvailableProps) => `Materiali disponibili: ${roundTableName(p.roundTable)}`;

const noticesOf = (p: MaterialsAvailableProps) => p.materials ?? (p.material ? [p.material] : []);
const titleOf = (m: MaterialNotice) => `${m.kindLabel}: ${m.title}${m.curatedBy ? ` (a cura di ${m.curatedBy})` : ""}`;

export function MaterialsAvailableEmail(p: MaterialsAvailableProps) {
  const notices = noticesOf(p);
  return notices.length === 1 ? <OneMaterial {...p} material={notices[0]} /> : <SeveralMaterials {...p} materials={notices} />;
}

function Opening({ p, several }: { p: MaterialsAvailableProps; several: boolean }) {
  return (
    <>
      <Heading as="h1" style={{ fontSize: "22px" }}>
        Materiali disponibili
      </Heading>
      <Greeting name={p.recipientName} />
      <Text>
        {several ? "sono disponibili nuovi materiali" : "è disponibile un nuovo materiale"} del Tavolo tecnico «{p.roundTable.title}» che
        si è svolto {roundTableWhen(p.roundTable)}:
      </Text>
    </>
  );
}

function Closing({ pageUrl }: { pageUrl: string }) {
  return (
    <>
      <Text>
        Tutti i materiali dell'incontro sono nella pagina del Tavolo tecnico: <Link href={pageUrl}>{pageUrl}</Link>
      </Text>
      <Signature />
    </>
  );
}

const MEMBERS_LINK_TEXT = "Accedi all'area referente e scarica (riservato agli enti aderenti)";

// The address ends the sentence: a mail program would take a "." after it into the link.
function AreaReferenteLink({ appUrl, several }: { appUrl: string; several: boolean }) {
  return (
    <Text>
      {several
        ? "I materiali riservati agli enti aderenti al Coordinamento si scaricano dall'area referente: "
        : "Il materiale è riservato agli enti aderenti al Coordinamento. Per scaricarlo accedi all'area referente: "}
      <Link href={`${appUrl}/area-referente`}>{`${appUrl}/area-referente`}</Link>
    </Text>
  );
}

function SeveralMaterials(p: MaterialsAvailableProps) {
  return (
    <EmailLayout preview={`${p.materials.length} materiali del ${roundTableName(p.roundTable)}`}>
      <Opening p={p} several />
      {p.materials.map((m, i) => (
        <Text key={i}>
          <strong>{titleOf(m)}</strong>
          <br />
          {m.url ? <Link href={m.url}>{m.visibility === "members" ? MEMBERS_LINK_TEXT : "Apri il materiale"}</Link> : "Riservato agli enti aderenti"}
        </Text>
      ))}
      {p.materials.some((m) => !m.url) ? <AreaReferenteLink appUrl={p.appUrl} several /> : null}
      <Closing pageUrl={p.pageUrl} />
    </EmailLayout>
  );
}

function OneMaterial(p: MaterialsAvailableProps & { material: MaterialNotice }) {
  const rt = p.roundTable;
  const m = p.material;
  return (
    <EmailLayout preview={`${m.kindLabel} del ${roundTableName(rt)}`}>
      <Opening p={p} several={false} />
      <Text style={{ fontWeight: 700 }}>{titleOf(m)}</Text>
      {m.url && m.visibility === "members" ? (
        <>
          <Text>Il materiale è riservato agli enti aderenti al Coordinamento: per scaricarlo accedi all'area referente.</Text>
          <Button href={m.url} style={button}>
            Accedi e scarica
          </Button>
        </>
      ) : m.url ? (
        <Button href={m.url} style={button}>
          Apri il materiale
        </Button>
      ) : (
        <AreaReferenteLink appUrl={p.appUrl} several={false} />
      )}
      <Closing pageUrl={p.pageUrl} />
    </EmailLayout>
  );
}

MaterialsAvailableEmail.PreviewProps = {
  recipientName: "Maria Rossi",
  recipientEmail: "maria.rossi@comune.esempio.it",
  appUrl: "http://localhost:3000",
  roundTable: PREVIEW_ROUND_TABLE,
  materials: [{ title: "Video dell'incontro", kindLabel: "Video", curatedBy: null, visibility: "public", url: "https://www.youtube.com/watch?v=esempio" }],
  pageUrl: "http://localhost:3000/tavoli-tecnici/7",
} satisfies MaterialsAvailableProps;

export default MaterialsAvailableEmail;
