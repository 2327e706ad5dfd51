/**
 * The message of what `f` throws (a law's failure, whose `cause` carries the counterexample), or
 * 'not caught': the variant tests match it against the law's wording to show a mutant is caught.
 */
export const caught = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    return String((e as Error).cause ?? e);
  }
  return 'not caught';
};
