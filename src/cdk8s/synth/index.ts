export { DEFAULT_APP, runSynth, type SynthOptions } from './run-synth.js';
export { SynthAppError } from './synth-app-error.js';
export type { SynthFileStatus, SynthReport } from './synth-report.js';
