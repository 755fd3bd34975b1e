import type { ReactNode } from 'react';

/** The peer benchmark's app: the same pages for every variant, only the middleware differs. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <main>{children}</main>
      </body>
    </html>
  );
}
