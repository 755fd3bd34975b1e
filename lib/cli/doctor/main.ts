// `npm run doctor`: the first-contact diagnosis of a Scalekit setup. It loads the variables the
// way `next` does (`@next/env`, from the current directory: npm runs scripts from the project
// root), in development mode like `next dev` unless NODE_ENV=production, as `next build` and
// `next start` load them. The script runs Node with the `react-server` condition, as Next runs
// server code, so the app's own `lib/server/env.ts` reader loads (its `server-only` marker
// resolves to an empty module there).
import nextEnv from '@next/env';
import { runDoctor } from './run';

const dev = process.env.NODE_ENV !== 'production';
const { loadedEnvFiles } = nextEnv.loadEnvConfig(process.cwd(), dev);

const { output, exitCode } = await runDoctor(process.argv.slice(2), process.env, {
  envFiles: loadedEnvFiles.map((file) => file.path),
});
process.stdout.write(output);
process.exitCode = exitCode;
