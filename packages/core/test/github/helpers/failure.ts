import { type GenopsError, isGenopsError } from '../../../src/errors.js';

/** The GenopsError the call must reject with; anything else it throws is rethrown. */
export async function failure(promise: Promise<unknown>): Promise<GenopsError> {
  try {
    await promise;
  } catch (e) {
    if (isGenopsError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}
