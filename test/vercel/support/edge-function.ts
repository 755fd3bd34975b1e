import { EdgeVM } from '@edge-runtime/vm';
import { build, type Plugin } from 'esbuild';
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The Node modules Vercel's Edge runtime provides (its docs, "Edge runtime > Node.js APIs";
 * `@vercel/node`'s edge-node-compat-plugin, which `vercel dev` uses, lists the same five). Any
 * other Node module in an Edge function is Node-only code: it fails on Vercel at run time.
 */
export const EDGE_NODE_MODULES = ['async_hooks', 'buffer', 'events', 'assert', 'util'] as const;

export interface EdgeFunction {
  /** Sends a request through the function, as Vercel's edge does (x-forwarded-* name the origin). */
  fetch(url: string, init?: { headers?: Record<string, string> }): Promise<Response>;
  /** Every line the function wrote to `console.warn` and `console.error` (JSON ones parsed). */
  readonly logLines: Array<Record<string, unknown>>;
}

/**
 * Loads an Edge function of a Build Output (`.vercel/output/functions/<name>.func`) into Vercel's
 * open-source Edge runtime (`@edge-runtime/vm`'s `EdgeVM`, which the `edge-runtime` package
 * exports as `EdgeRuntime`) the way `vercel dev` runs one: its entrypoint bundled for the browser
 * platform with the Node modules Vercel provides mapped to the runtime's own, then wrapped in
 * `@vercel/node`'s edge-handler template (from the pinned CLI install), which hands each fetch
 * event to the function's default export. `env` is the function's `process.env`, after the
 * variables its `.vc-config.json` sets.
 *
 * @example
 * const middleware = await loadEdgeFunction(join(outputDir, 'functions/middleware.func'), cliDir, env);
 * const response = await middleware.fetch('https://app.example.test/dashboard');
 */
export async function loadEdgeFunction(
  funcDir: string,
  cliDir: string,
  env: Record<string, string>,
): Promise<EdgeFunction> {
  const config = JSON.parse(await readFile(join(funcDir, '.vc-config.json'), 'utf8')) as {
    runtime: string;
    entrypoint: string;
    environment?: Record<string, string>;
  };
  if (config.runtime !== 'edge') throw new Error(`${funcDir} is a ${config.runtime} function`);

  // The Node modules the function asks for, each handed to the runtime below.
  const nodeModules = new Set<string>();
  const result = await build({
    entryPoints: [join(funcDir, config.entrypoint)],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    conditions: ['edge-light'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [edgeNodeModules(nodeModules)],
  });
  const template = await readFile(edgeHandlerTemplate(cliDir), 'utf8');
  const code = `"use strict";
(() => { ${result.outputFiles[0]!.text} })();
const userModule = module.exports;
${template};
registerFetchListener(userModule, { isMiddleware: true, entrypointLabel: 'middleware' }, { Request, Response });`;

  const logLines: Array<Record<string, unknown>> = [];
  const record = (line: unknown) => {
    try {
      logLines.push(JSON.parse(String(line)) as Record<string, unknown>);
    } catch {
      logLines.push({ text: String(line) });
    }
  };
  const vm = new EdgeVM({
    extend: (context) =>
      Object.assign(context, {
        module: {},
        // Globals Vercel's Edge runtime has and the open-source EdgeVM leaves to its host: Next's
        // Edge code needs both (`next start` adds the same two to the EdgeVM it runs middleware in).
        AsyncLocalStorage,
        performance,
        process: { env: { ...config.environment, ...env } },
        console: { ...context.console, warn: record, error: record },
        ...Object.fromEntries(
          [...nodeModules].map((name) => [globalName(name), require(`node:${name}`)]),
        ),
      }),
  });
  vm.evaluate(code);
  return {
    logLines,
    fetch: async (url, init = {}) => {
      const { host, protocol, port } = new URL(url);
      const response = await vm.dispatchFetch(url, {
        headers: {
          'x-forwarded-host': host,
          'x-forwarded-proto': protocol.replace(':', ''),
          'x-forwarded-port': port || (protocol === 'https:' ? '443' : '80'),
          ...init.headers,
        },
      });
      await response.waitUntil();
      return response;
    },
  };
}

/** Resolves each Node module Vercel's Edge provides to the runtime's own; any other fails the load. */
function edgeNodeModules(asked: Set<string>): Plugin {
  const provided = new RegExp(`^(node:)?(${EDGE_NODE_MODULES.join('|')})$`);
  return {
    name: 'vercel-edge-node-modules',
    setup(b) {
      b.onResolve({ filter: provided }, (args) => ({
        path: args.path.replace(/^node:/, ''),
        namespace: 'edge-node',
      }));
      b.onLoad({ filter: /.*/, namespace: 'edge-node' }, (args) => {
        asked.add(args.path);
        return { contents: `module.exports = globalThis.${globalName(args.path)};`, loader: 'js' };
      });
    },
  };
}

function globalName(module: string): string {
  return `__edge_node_${module}__`;
}

/** `@vercel/node`'s wrapper for Edge functions, as the pinned CLI ships it. */
function edgeHandlerTemplate(cliDir: string): string {
  const fromCli = createRequire(join(cliDir, 'node_modules/vercel/package.json'));
  return join(
    dirname(fromCli.resolve('@vercel/node/package.json')),
    'dist/edge-handler-template.js',
  );
}
