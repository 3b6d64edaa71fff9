// Tiny argument parser for the `bootscope` CLI: `--flag`, `--opt value` (repeatable) and positionals.
// Unknown options are a usage error (exit 2), as ../shared/docs/CLI.md requires.

export class UsageError extends Error {}
/** An input (file, image, dump) could not be used: exit 1. */
export class InputError extends Error {}

export interface ArgSpec {
  /** Options that take a value. */
  values?: string[];
  /** Options that are boolean flags. */
  flags?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (spec.values?.includes(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        out.values.set(name, [...(out.values.get(name) ?? []), v]);
      } else if (spec.flags?.includes(name) && eq < 0) {
        out.flags.add(name);
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else {
      out.positionals.push(a);
    }
  }
  return out;
}

/** The last value given for an option, or undefined. */
export function lastValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.values.get(name);
  return v?.[v.length - 1];
}

/** Parses `0x..`, or plain decimal, as a CLI number; throws UsageError otherwise. */
export function parseNumber(text: string, what: string): number {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? parseInt(text, 10) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${what}: '${text}' is not a number`);
  return n;
}
