import { readFileSync } from 'node:fs';
import { CatalogError, parseCatalog } from '../../src/catalog/index.js';

/** The shipped catalog's text, for tests that break it one line at a time. */
export const shippedCatalog = readFileSync('slo/catalog.yaml', 'utf8');

/** The problems a catalog text produces, one message per line; empty when it is valid. */
export function problems(text: string): string[] {
  try {
    parseCatalog(text, 'slo/catalog.yaml');
  } catch (error) {
    if (error instanceof CatalogError) return error.message.split('\n');
    throw error;
  }
  return [];
}

/** 1-based line of the first line containing `fragment`. */
export function lineOf(text: string, fragment: string): number {
  return text.split('\n').findIndex((line) => line.includes(fragment)) + 1;
}
