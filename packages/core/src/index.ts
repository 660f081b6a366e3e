export * from './model/index.js';
export * from './settings/index.js';
export * from './policy/index.js';
export * from './ports/index.js';
export * from './errors.js';
export * from './soql.js';
