// The part of ws 8 (no @types/ws installed) the subscription server uses (src/app/edge/subscriptions.ts).
declare module "ws" {
  import type { Server } from "node:http";
  export class WebSocketServer {
    constructor(options: { server: Server; path: string });
    close(callback?: () => void): void;
  }
}
