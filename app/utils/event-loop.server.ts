// Long loops over thousands of rows (exports, the import preview) hand the event loop back every
// ROWS_PER_TURN rows, so that other requests are served in between instead of waiting seconds.

export const ROWS_PER_TURN = 500;

/** Resolves after the requests already waiting have had their turn. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
