import { Text } from "@react-email/components";
import { Link } from "./link";
import LinkifyIt from "linkify-it";
import { Fragment, type CSSProperties, type ReactNode } from "react";

// Addresses without "https://" ("www.comune.it") stay text: linked, the plain-text part would
// repeat them with the "http://" their link adds. Mail programs link them anyway.
const linkify = new LinkifyIt().set({ fuzzyLink: false });
const linkStyle = { color: "#0066cc", textDecoration: "underline" };

/** A line with its web ("https://…") and email addresses as links. */
function withLinks(line: string): ReactNode {
  const matches = linkify.match(line);
  if (!matches) return line;
  const parts: ReactNode[] = [];
  let from = 0;
  for (const match of matches) {
    parts.push(line.slice(from, match.index));
    parts.push(
      <Link key={match.index} href={match.url} style={linkStyle}>
        {match.text}
      </Link>,
    );
    from = match.lastIndex;
  }
  parts.push(line.slice(from));
  return parts;
}

/**
 * Text typed by a person, with its line breaks kept: as <br /> rather than by pre-wrap alone, since
 * the plain-text part of the email (converted from the HTML) collapses newlines inside a paragraph.
 */
export function MultilineText({ text, style }: { text: string; style?: CSSProperties }) {
  return (
    <Text style={{ whiteSpace: "pre-wrap", ...style }}>
      {text.split(/\r?\n/).map((line, i) => (
        <Fragment key={i}>
          {i > 0 ? <br /> : null}
          {withLinks(line)}
        </Fragment>
      ))}
    </Text>
  );
}
