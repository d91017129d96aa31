/**
 * The fit's option choices and defaults, which `vcr fit` needs just to
 * register (its --help shows them). This module must stay light: it imports
 * nothing that loads ml-matrix, because every `vcr` invocation registers
 * every command (test/cli/startup.test.ts checks it). fitCapture.ts
 * validates and applies them.
 */

export const FIT_TARGETS = ['alpha', 'beta', 'both'] as const;
export type FitTarget = (typeof FIT_TARGETS)[number];

/** The step streams the beta fit can read (stepRows.ts StepSourceChoice). */
export const STEP_SOURCE_CHOICES = ['auto', 'otlp', 'sidecar'] as const;

export const FIT_DEFAULTS = { target: 'both', holdout: 0.2, ridge: 0, warmupSteps: 10, maxPreemptedPerStep: 0, stepSource: 'auto' } as const;
