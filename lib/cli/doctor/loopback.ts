/**
 * For an origin on `localhost` or `127.0.0.1`, the same origin under the other name, else null.
 * They reach the same server, but browsers keep a cookie jar per host name and Scalekit compares
 * callback URLs as strings, so to both they are different places.
 *
 * @example
 * otherLoopbackOrigin('http://localhost:3000'); // "http://127.0.0.1:3000"
 * otherLoopbackOrigin('https://app.example.com'); // null
 */
export function otherLoopbackOrigin(origin: string): string | null {
  const url = new URL(origin);
  const other = ({ localhost: '127.0.0.1', '127.0.0.1': 'localhost' } as const)[url.hostname];
  if (!other) return null;
  url.hostname = other;
  return url.origin;
}
