/**
 * Parsing action inputs: strict, every problem named by its input, collected
 * into one ConfigError. No input is read from the environment here: the
 * runtime hands the raw strings in.
 */
import { ConfigError } from '../errors.js';

export type RawInputs = (name: string) => string;

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** Collects problems across inputs and throws once. */
export class InputProblems {
  private readonly problems: { input: string; message: string; expected: string }[] = [];
  add(input: string, message: string, expected: string): void {
    this.problems.push({ input, message, expected });
  }
  throwIfAny(): void {
    const first = this.problems[0];
    if (first === undefined) return;
    const lines = this.problems.map((p) => `- ${p.input}: ${p.message} (expected ${p.expected})`);
    throw new ConfigError(this.problems.some((p) => p.message === 'is required') ? 'INPUT_MISSING' : 'INPUT_INVALID', `${this.problems.length} input problem(s):\n${lines.join('\n')}`, {
      input: first.input,
      expected: first.expected,
      hint: 'Fix the `with:` block of this step (see the action\'s README for every input).',
    });
  }
}

/** YAML 1.2 core booleans only, as @actions/core accepts them. */
export function boolInput(raw: RawInputs, name: string, dflt: boolean, problems: InputProblems): boolean {
  const v = raw(name);
  if (v === '') return dflt;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  problems.add(name, `is ${JSON.stringify(v)}`, 'true or false');
  return dflt;
}

/** Newline-separated list; blank lines and `#` comments dropped. */
export function listInput(raw: RawInputs, name: string): string[] {
  return raw(name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

export function enumInput<T extends string>(raw: RawInputs, name: string, allowed: readonly T[], dflt: T, problems: InputProblems): T {
  const v = raw(name);
  if (v === '') return dflt;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  problems.add(name, `is ${JSON.stringify(v)}`, `one of ${allowed.join(', ')}`);
  return dflt;
}

export function intInput(raw: RawInputs, name: string, dflt: number, min: number, max: number, problems: InputProblems): number {
  const v = raw(name);
  if (v === '') return dflt;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.add(name, `is ${JSON.stringify(v)}`, `a whole number from ${min} to ${max}`);
    return dflt;
  }
  return Number(v);
}
