export { controllerIsRoot, LOCAL_DEFAULTS, LocalTransport } from './local-transport.js';
export type { LocalTransportOptions } from './local-transport.js';
