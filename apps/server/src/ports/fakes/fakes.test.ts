import { MemoryEventBus } from './memory-event-bus.js';
import { MemoryHopper } from './memory-hopper.js';
import { MemoryStateStore } from './memory-state-store.js';
import { realtimeConformance } from './conformance/realtime.suite.js';

realtimeConformance('memory fakes', async () => {
  const maxLen = 20;
  const bus = new MemoryEventBus({ maxLen });
  return {
    bus,
    store: new MemoryStateStore(bus),
    hopper: new MemoryHopper(),
    maxLen,
    close: async () => undefined,
  };
});
