#!/usr/bin/env node
// Thin launcher: runs the TypeScript entry point through tsx so a checkout works without a build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
