// Pointing a literal dependency tuple at another migration: `("shop", "0002_x")` -> `("shop", "0002_y")`.
import type { Dependency } from '../python/model';
import { replaceText } from './operations';
import type { EditIntent } from './types';

/** The edit renaming the migration a literal dependency names; none for a dynamic (swappable) dependency. */
export function renameDependency(file: { text: string }, dependency: Dependency, newName: string): EditIntent[] {
  if (dependency.dynamic) return [];
  const text = file.text.slice(dependency.span.start, dependency.span.end);
  const at = text.lastIndexOf(dependency.name);
  if (at < 0) return [];
  const start = dependency.span.start + at;
  return [replaceText({ start, end: start + dependency.name.length }, newName)];
}
