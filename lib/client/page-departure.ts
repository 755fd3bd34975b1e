/** What {@link watchDeparture} returns. */
export interface Departure {
  /** True once this document has started to navigate away (until it is shown again). */
  readonly leaving: () => boolean;
  /** Removes the listeners. */
  readonly stop: () => void;
}

/**
 * Tells whether this document has started to navigate away: a form submit (the sign-out form), a
 * link, a script's `location.assign`. Why: a reload started meanwhile cancels that navigation, so
 * a session ending during the sign-out's redirect to Scalekit would keep the browser from ever
 * reaching Scalekit's logout (its session survives, and the next sign-in silently resumes it).
 *
 * Why these events: `beforeunload` is the one signal Chromium, Firefox and desktop Safari all fire
 * when a navigation away from the document *begins*, before its request is sent; nothing is
 * prevented, so no prompt appears. `pagehide` fires only once the next document commits (after
 * `/logout` and its redirects were answered): too late for that window, but it covers a browser
 * that skips `beforeunload` (iOS Safari may) for the rest. `pageshow` with `persisted` (the page
 * restored from the back/forward cache) clears the mark. Some browsers (Firefox, at least in the
 * past) keep no page with a `beforeunload` listener in that cache, so it lives only while a
 * session is kept (signed-in pages, which are `no-store` and rarely cached anyway). A
 * navigation that never unloads (a download, a cancelled one) leaves the mark: such a page then
 * shows the person signed out without reloading, and its next request meets the middleware.
 * The Navigation API's `navigate` event would be more exact but is not in every browser yet.
 *
 * @example
 * const departure = watchDeparture();
 * if (!departure.leaving()) window.location.reload();
 * departure.stop();
 */
export function watchDeparture(): Departure {
  let leaving = false;
  const onLeave = () => {
    leaving = true;
  };
  const onShow = (event: PageTransitionEvent) => {
    if (event.persisted) leaving = false;
  };
  window.addEventListener('beforeunload', onLeave);
  window.addEventListener('pagehide', onLeave);
  window.addEventListener('pageshow', onShow);
  return {
    leaving: () => leaving,
    stop: () => {
      window.removeEventListener('beforeunload', onLeave);
      window.removeEventListener('pagehide', onLeave);
      window.removeEventListener('pageshow', onShow);
    },
  };
}
