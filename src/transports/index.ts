export { AbortedError, InvalidCommandError, TransportError } from './errors.js';
export type { HostKeyInfo, TransportErrorKind, TransportErrorOptions } from './errors.js';
export { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES } from './output.js';
export { commandLine, SCRUBBED_ENV, shellQuote } from './quote.js';
export type { CommandResult, RemoteCommand, RunOptions, Transport, TransportId } from './types.js';
export * from './fake/index.js';
export * from './ssh/index.js';
export { registeredTransports, transportFor, transports } from './registry.js';
export type { HostTransportFactory, TransportPlugin, TransportSetup } from './registry.js';
