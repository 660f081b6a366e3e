export * from './schema.js';
export * from './field-maps.js';
export * from './template-variables.js';
export * from './parse.js';
export * from './upgrade.js';
