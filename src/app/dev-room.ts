/**
 * The door from the production start path into the development room (dev/: department sandboxes, the
 * synthetic data set, development keys). Nothing outside dev/ imports it statically
 * (test/architecture/dev-boundary.test.ts); the start loads it here, dynamically, only when it needs a
 * sandbox for a department without a URL, seeds an empty embedded registry, or prints development
 * tokens — none of which production allows (src/app/config.ts), so a production start never loads dev/.
 */
export type DevRoom = typeof import("../../dev/room.js");
export type RunningSandboxes = Awaited<ReturnType<DevRoom["startSandboxes"]>>;

export function loadDevRoom(): Promise<DevRoom> {
  return import("../../dev/room.js");
}
