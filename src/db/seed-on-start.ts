import type { Database } from "./database.js";
export async function seedDefaultIfEmpty(_db: Database, _seed: number): Promise<void> {}
