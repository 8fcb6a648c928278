export { FakeFleet, FakeTransport } from './fake-transport.js';
export type {
  FakeCall,
  FakeMatcher,
  FakeReply,
  FakeResponder,
  FakeTransportOptions,
} from './fake-transport.js';
