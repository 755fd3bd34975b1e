// Bundled by edge-vm.ts (esbuild, Edge conditions) and evaluated inside @edge-runtime/vm: exposes
// the Edge measurements to the host, JSON in and out, so no object crosses the realm boundary.
import { runEdgeTasks, type EdgeTaskInput } from './edge-tasks';

(globalThis as { __runEdgeTasks?: (input: string) => Promise<string> }).__runEdgeTasks = async (
  input,
) => JSON.stringify(await runEdgeTasks(JSON.parse(input) as EdgeTaskInput));
