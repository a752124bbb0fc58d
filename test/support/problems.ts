// What a refused call threw, for tests that assert on a Problem's status, code and details.
import { Problem } from '../../libs/http/problem.ts';

/** The problem a call was refused with; fails if it succeeded or threw anything else. */
export async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}
