// Public surface of @crmsync/sf-emulator.
export { startEmulator, type EmulatorOptions, type OrgHandle, type RunningEmulator } from './emulator.js';
export { EmulatorControl, ControlError, type CreateOrgInput, type OrgSummary } from './control.js';
export type { FaultRule, FaultRuleInput } from './faults.js';
export type { OrgCredentials, CreateOrgOptions } from './org/emulated-org.js';
export type { RecordWrites, WriteOperation } from './org/write-log.js';
export type { RequestTally } from './http/request-log.js';
export { parseSchemaFile, type SchemaFile } from './schema/custom-schema.js';
export { readSeedFile, type SeedData } from './seed.js';
export { normalizeId, to18 } from './ids.js';
export { createManualScheduler, type ManualScheduler } from './bulk/index.js';
export * from './contracts.js';
