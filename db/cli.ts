// The commands run with `npm run …` (backup, restore, coordinator:password) end the same way: a
// refusal they expect prints its own message and exits with 1, a wrong argument prints the usage and
// exits with 2; anything else is a bug and keeps its stack trace.
type ErrorClass = abstract new (...args: never[]) => Error;

export async function runCommand(main: () => unknown, { usage, refusals }: { usage?: string; refusals: ErrorClass[] }) {
  try {
    await main();
  } catch (error) {
    if (refusals.some((known) => error instanceof known)) {
      console.error((error as Error).message);
      process.exit(1);
    }
    if (usage && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${(error as Error).message}\n${usage}`);
      process.exit(2);
    }
    throw error;
  }
}
