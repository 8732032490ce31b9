// The page title says when a form is showing errors ("Errore: …"), the first thing a screen reader
// reads of a page (WCAG 2.4.2 and 3.3.1): on the server for a form posted without JavaScript
// (entry.server.tsx), in the browser while an error summary is shown (ErrorSummary).

export const ERROR_TITLE_PREFIX = "Errore: ";

/** Marks a rendered error summary, for the server to find in the page. */
export const ERROR_SUMMARY_ATTRIBUTE = "data-error-summary";

export function withErrorPrefix(title: string) {
  return title.startsWith(ERROR_TITLE_PREFIX) ? title : `${ERROR_TITLE_PREFIX}${title}`;
}

export function withoutErrorPrefix(title: string) {
  return title.startsWith(ERROR_TITLE_PREFIX) ? title.slice(ERROR_TITLE_PREFIX.length) : title;
}

/**
 * The HTML of a page answering a form post, its title prefixed when the page shows an error summary.
 * Only a document POST, i.e. a form sent without JavaScript: with JavaScript the summary itself
 * changes the title in the browser.
 */
export function prefixTitleOnErrors(html: string, { method }: { method: string }) {
  if (method !== "POST" || !html.includes(`${ERROR_SUMMARY_ATTRIBUTE}=`)) return html;
  return html.replace(/<title>([^<]*)<\/title>/, (_, title: string) => `<title>${withErrorPrefix(title)}</title>`);
}
