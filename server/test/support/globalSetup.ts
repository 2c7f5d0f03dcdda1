import type { TestProject } from 'vitest/node';
import { prepareTemplateDatabase } from './database.js';

/** Migrates one template database per set of migration files; each test file clones it. */
export default async function setup(project: TestProject) {
  project.provide('templateDatabase', await prepareTemplateDatabase());
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
