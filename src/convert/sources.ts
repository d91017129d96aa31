/** The tools whose output `vcr convert` reads (no imports: the command's registration uses this list). */
export const BENCHMARK_SOURCES = ['bench', 'guidellm'] as const;
/** `bench` is `vllm bench serve --save-result --save-detailed`; `guidellm` a guidellm benchmark report. */
export type BenchmarkSource = (typeof BENCHMARK_SOURCES)[number];
