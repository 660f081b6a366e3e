export * from './common.js';
export * from './workspace.js';
export * from './person.js';
export * from './company.js';
export * from './deal.js';
export * from './activities.js';
export * from './link.js';
