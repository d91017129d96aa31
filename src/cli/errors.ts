/** A bad flag combination or argument: exit code 2 (design.md: 0 ok, 1 bad input / failed check, 2 usage). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A check that ran and failed (e.g. a calibration verdict): exit 1 after printing the report. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}
