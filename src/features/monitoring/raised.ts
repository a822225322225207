/**
 * New alerts as they are stored: every shard a run writes with alerts sends a PostgreSQL notification on
 * commit (channel monitoring_alerts, payload `<schema>:<run>:<shard>`, from any worker process); the gateway
 * listens (PGlite: its listen(); PostgreSQL: one dedicated connection), reads the alerts first seen by that
 * run among the shard's households, and hands them to the subscribers (Subscription.alertRaised), who see
 * only those of their view, jurisdiction and filter (resolvers/subscriptions.ts).
 */
import { EventEmitter, on } from "node:events";
import pg from "pg";
import type { Database } from "../../db/database.js";
import type { StoredAlertRow } from "./read.js";

export interface RaisedAlert extends StoredAlertRow {
  view: string;
  district_code: string;
  street_code: string;
}

export class AlertFeed {
  private readonly events = new EventEmitter();
  private stopListening: (() => Promise<void>) | null = null;

  private constructor(private readonly db: Database) {
    this.events.setMaxListeners(0);
  }

  static async start(db: Database, onError: (err: unknown) => void = () => {}): Promise<AlertFeed> {
    const feed = new AlertFeed(db);
    const schema = db.target.kind === "postgres" ? db.target.schema : "public";
    const handle = (payload: string) => {
      const [s, runId, shard] = payload.split(":");
      if (s !== schema) return;
      feed.load(runId, Number(shard)).catch(onError);
    };
    if (db.target.kind === "postgres") {
      const client = new pg.Client({ connectionString: db.target.url });
      client.on("error", onError);
      await client.connect();
      client.on("notification", (n) => n.payload && handle(n.payload));
      await client.query("LISTEN monitoring_alerts");
      feed.stopListening = () => client.end();
    } else {
      const unlisten = await db.pglite!.listen("monitoring_alerts", handle);
      feed.stopListening = unlisten;
    }
    return feed;
  }

  private async load(runId: string, shardNo: number): Promise<void> {
    const rows = await this.db.sql.query<RaisedAlert>(
      `SELECT a.view, a.district_code, a.street_code, a.household_id, a.alert_key, a.kind, a.class, a.severity, a.department, a.person_id, a.message, a.reference, a.evidence,
              a.first_seen_at, a.last_seen_at, a.resolved_at, true AS household_complete
       FROM monitoring_shard s JOIN monitoring_alert a ON a.household_id = ANY(s.household_ids)
       WHERE s.run_id = $1::uuid AND s.shard_no = $2 AND a.first_seen_run = $1::uuid AND a.resolved_at IS NULL
       ORDER BY a.household_id, a.alert_key`,
      [runId, shardNo],
    );
    for (const r of rows) this.events.emit("alert", r);
  }

  /** The alerts raised from now on, until the signal aborts. */
  async *subscribe(signal: AbortSignal): AsyncGenerator<RaisedAlert> {
    try {
      for await (const [row] of on(this.events, "alert", { signal })) yield row as RaisedAlert;
    } catch (err) {
      if ((err as { name?: string }).name !== "AbortError") throw err;
    }
  }

  async close(): Promise<void> {
    await this.stopListening?.().catch(() => {});
    this.events.removeAllListeners();
  }
}
