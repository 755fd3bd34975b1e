/** What needs a sign-in within five minutes here: the page, its actions and its API. */
export const STEP_UP_SECONDS = 5 * 60;
