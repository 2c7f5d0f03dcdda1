import type { TestProject } from 'vitest/node';
import { startStack, type E2eContext } from './stack.js';

/** Starts the product once for every end-to-end test file and stops it after the last. */
export default async function setup(project: TestProject) {
  const { context, stop } = await startStack();
  project.provide('e2e', context);
  return stop;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}
