import { Link as EmailLink } from "@react-email/components";
import type { ComponentProps } from "react";

/**
 * A link in an email's text: in the portal's blue (5.6:1 on white, where react-email's default is
 * 4:1), and a long address wraps instead of widening the message on a phone.
 */
export function Link({ style, ...props }: ComponentProps<typeof EmailLink>) {
  return <EmailLink {...props} style={{ color: "#0066cc", overflowWrap: "anywhere", wordBreak: "break-word", ...style }} />;
}
