/**
 * The package's entry point for code. n8n itself loads only the nodes and credentials listed in package.json's `n8n`
 * section; this module is for the person setting up the store next to it: `migrate(databaseUrl, { seed: true })`
 * creates or updates the Postgres schema, and the folders hold the SQL migrations and the workflow files to import.
 */
import { basename, dirname, join } from 'node:path';

export { migrate, MIGRATIONS_DIR } from './initialization/migrate';

/** The package's root: this file runs from dist/ once built. */
const PACKAGE_ROOT = basename(__dirname) === 'dist' ? dirname(__dirname) : __dirname;

/** The workflows to import with `n8n import:workflow --separate --input=<this folder>`. */
export const WORKFLOWS_DIR = join(PACKAGE_ROOT, 'workflows');
