import { Text } from "@react-email/components";
import { Fragment, type CSSProperties } from "react";

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
          {line}
        </Fragment>
      ))}
    </Text>
  );
}
