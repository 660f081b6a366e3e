#!/usr/bin/env -S node --max-old-space-size=1536
// The `crmsync` command: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
