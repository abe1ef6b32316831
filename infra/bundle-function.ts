import { build } from 'esbuild';
import { functionBuildOptions, lambdaFunctions } from './bundling.ts';
import { NOTIFIER_FUNCTION } from './notifier-entry.ts';

/**
 * Bundles one function of the manifest into a directory:
 * `node --import tsx infra/bundle-function.ts <FunctionName> <outdir>`.
 *
 * The stack runs it from CDK's local bundling hook (infra/constructs/functions.ts, `functionCode`). That hook is
 * synchronous, and esbuild runs plugins only in its asynchronous API, hence a process of its own.
 */
const [name, outdir] = process.argv.slice(2);
const spec = [...lambdaFunctions, NOTIFIER_FUNCTION].find((f) => f.name === name);
if (!spec || !outdir) {
  console.error(
    `usage: node --import tsx infra/bundle-function.ts <${lambdaFunctions.map((f) => f.name).join('|')}> <outdir>`,
  );
  process.exit(2);
}
await build({ ...functionBuildOptions(spec, outdir), logLevel: 'warning' });
