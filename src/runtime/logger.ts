// The pino root logger; controllers take children with their kind and object key.
import { pino, type Logger } from 'pino';

export type { Logger };

export const log: Logger = pino({
  name: 'aksim',
  level: process.env.AKSIM_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});
