import { pino } from 'pino';

/** Structured logger: JSON lines on stderr, quiet by default (warnings and errors only). */
export type Logger = pino.Logger;

/** verbosity 0 = warn, 1 (-v) = info, 2 (-vv) = debug, 3+ = trace. */
export function createLogger(verbosity = 0, destination: pino.DestinationStream = pino.destination(2)): Logger {
  const level = ['warn', 'info', 'debug'][verbosity] ?? 'trace';
  return pino({ level, base: undefined }, destination);
}

/** A logger that writes nothing (tests, libraries used without one). */
export const silentLogger: Logger = pino({ level: 'silent' });
