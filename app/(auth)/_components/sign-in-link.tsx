import type { ReactNode } from 'react';

/**
 * A plain anchor, not `<Link>`: `/login` is a route handler that sends the browser to Scalekit,
 * which must be a full navigation and must never be prefetched.
 */
export function SignInLink({ children = 'Sign in' }: { children?: ReactNode }) {
  return (
    <a className="button" href="/login">
      {children}
    </a>
  );
}
