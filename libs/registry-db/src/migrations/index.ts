import type { MigrationInterface } from 'typeorm';
import { Initial1767225600000 } from './1767225600000-initial';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [Initial1767225600000];
