import { HomeGreeting } from '@/app/_components/home-greeting';

export default function HomePage() {
  return (
    <>
      <h1>Scalekit hosted login for Next.js</h1>
      <p>
        Sessions are verified at the Edge on every request to a protected page, and tokens are
        rotated by Node route handlers with the Scalekit SDK.
      </p>
      <HomeGreeting />
    </>
  );
}
