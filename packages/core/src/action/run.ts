/**
 * The wrapper every action entry calls: runs the step, turns whatever was
 * thrown into a failed step with a message a user can act on (config and
 * verification errors: theirs; anything else: ours), and writes the job
 * summary in `finally`, whatever happened.
 */
import { toGenopsError, type GenopsError } from '../errors.js';
import { mdCode, mdText } from '../report/escape.js';
import type { ActionRuntime } from './runtime.js';

export type StepMain = (rt: ActionRuntime) => Promise<void>;

export function errorSummary(step: string, err: GenopsError): string {
  const d = err.details;
  const rows: [string, string | undefined][] = [
    ['Input', d.input],
    ['File', d.file === undefined ? undefined : `${d.file}${d.line === undefined ? '' : `:${d.line}`}`],
    ['Expected', d.expected],
    ['Found', d.actual],
    ['What to do', d.hint],
  ];
  const lines = [
    `### :x: genops ${mdText(step)}: ${ERROR_HEADINGS[err.kind]}`,
    '',
    `${mdCode(err.code)} ${mdText(err.message)}`,
    '',
  ];
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined);
  if (present.length > 0) {
    lines.push('| | |', '|---|---|', ...present.map(([k, v]) => `| ${k} | ${k === 'Input' || k === 'File' ? mdCode(v) : mdText(v)} |`), '');
  }
  if (d.docUrl !== undefined) lines.push(`Docs: ${d.docUrl}`, '');
  return lines.join('\n');
}

const ERROR_HEADINGS: Readonly<Record<GenopsError['kind'], string>> = {
  internal: 'internal error',
  verification: 'an artifact failed verification',
  blocked: 'blocked by policy',
  config: 'configuration problem',
};

export async function runAction(rt: ActionRuntime, step: string, main: StepMain): Promise<boolean> {
  try {
    await main(rt);
    return true;
  } catch (e) {
    const err = toGenopsError(e);
    const place: { title: string; file?: string; line?: number } = { title: `genops ${step}: ${err.code}` };
    if (err.details.file !== undefined && err.kind !== 'internal') place.file = err.details.file;
    if (err.details.line !== undefined) place.line = err.details.line;
    rt.annotate('error', err.message, place);
    if (err.kind === 'internal') {
      const stack = err.details.cause instanceof Error ? err.details.cause.stack : err.stack;
      if (stack !== undefined) rt.logger.debug(stack);
    }
    rt.appendSummary(errorSummary(step, err));
    rt.setFailed(err.describe());
    return false;
  } finally {
    try {
      await rt.writeSummary();
    } catch (e) {
      // The summary is a side channel: its failure must not change the step's result.
      rt.logger.warning(`could not write the job summary: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
