import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { visible } from '../../desired/visible-text.js';
import type { AgentStep } from './node-status.js';

export type LogLevel = 'info' | 'warn' | 'error';

/** What a log line is about, beyond its text: pipelines filter on these. */
export interface LogFields {
  readonly level?: LogLevel;
  readonly step?: AgentStep | 'gc' | 'status';
  /** The revision the line is about; default the one the node enforces. */
  readonly revision?: string | null;
  readonly code?: string;
}

export type AgentLog = (line: string, fields?: LogFields) => void;

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface AgentLoggerOptions {
  readonly node: string;
  readonly format: LogFormat;
  /** The revision the node enforces now, for lines that name none. */
  readonly revision: () => string | null;
  readonly stream?: Writable;
}

/**
 * The agent's log: a line of text per event for a terminal, or one pino JSON
 * object per line (level, time, node, revision, step, msg) for a log pipeline.
 */
export function agentLogger(opts: AgentLoggerOptions): AgentLog {
  const stream = opts.stream ?? process.stderr;
  if (opts.format === 'text')
    return (line, fields) => {
      const level = fields?.level && fields.level !== 'info' ? `${fields.level.toUpperCase()} ` : '';
      // Lines quote the repository (policy and file names): shown, never acted on by the terminal.
      stream.write(visible(`${new Date().toISOString()} ${opts.node}: ${level}${line}`) + '\n');
    };
  const logger = pino(
    {
      base: { node: opts.node },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return (line, fields = {}) => {
    const { level = 'info', revision = opts.revision(), ...rest } = fields;
    logger[level]({ revision, ...rest }, line);
  };
}
