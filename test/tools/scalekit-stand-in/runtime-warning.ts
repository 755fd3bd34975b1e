// oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release." when
// it is imported on Node 20. This project supports Node >= 20.9 (package.json engines), its CI runs
// the whole suite against the stand-in on Node 20, and the stand-in never runs in production: the
// line would only make everyone who runs `npm run dev` or `npm test` wonder whether to upgrade.
// provider.ts imports this module just before oidc-provider and calls `hearWarningsAgain()` right
// after, so exactly that one line is dropped during that one import; every other warning passes.

const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime.';
const warn = console.warn;

console.warn = (...args: unknown[]) => {
  // The line may be wrapped in colour codes when stderr is a terminal.
  if (typeof args[0] === 'string' && args[0].includes(UNSUPPORTED_RUNTIME)) return;
  warn.apply(console, args);
};

/** Puts console.warn back, once oidc-provider has been imported. */
export function hearWarningsAgain(): void {
  console.warn = warn;
}
