export type * from './clock.js';
export type * from './logger.js';
export type * from './crm.js';
export type * from './store.js';
export type * from './queue.js';
