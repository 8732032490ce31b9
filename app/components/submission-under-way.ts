import type { useNavigation } from "@remix-run/react";

/**
 * Whether a form of the page has been sent and the page that answers it is not shown yet: while it
 * is being sent ("submitting") and while the page it leads to loads ("loading", after the action's
 * redirect or its answer). Send buttons stay disabled all that time: enabled again during the
 * loading, a second tap on a slow connection sent the form twice (two sign-in codes, the first
 * then refused). A GET form (a filter) only loads, and does not count.
 */
export const submissionUnderWay = (navigation: ReturnType<typeof useNavigation>) =>
  navigation.state !== "idle" && !!navigation.formMethod && navigation.formMethod.toUpperCase() !== "GET";
