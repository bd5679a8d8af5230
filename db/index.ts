/**
 * The database layer's entry point: the client and its types. Opening the configured database,
 * migrating and seeding it at start-up is server/database.ts's job; db/ reads no configuration.
 */
export {
  CONNECT_TIMEOUT_S,
  DataDirBusyError,
  openDatabase,
  rowsOf,
  type Db,
  type DbHandle,
  type Engine,
  type OpenOptions,
  type Tx,
} from "./client";
