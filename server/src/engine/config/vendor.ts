// Detecting the project's database from its Django settings files: the ENGINE string literals of `DATABASES`,
// found with the Python parser (never a text search, which would also match comments and unrelated strings).
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { decodeStringLiteral } from '../python/stringLiteral';
import type { Database } from './types';

/** Engines by module path, including the GIS backends and the legacy psycopg2 name. */
const ENGINES: Record<string, Database> = {
  'django.db.backends.postgresql': 'postgresql',
  'django.db.backends.postgresql_psycopg2': 'postgresql',
  'django.contrib.gis.db.backends.postgis': 'postgresql',
  'django.db.backends.mysql': 'mysql',
  'django.contrib.gis.db.backends.mysql': 'mysql',
  'django.db.backends.sqlite3': 'sqlite',
  'django.contrib.gis.db.backends.spatialite': 'sqlite',
};

/** Settings files larger than this are not parsed: real settings are small, and detection must stay cheap. */
const MAX_SETTINGS_LENGTH = 2_000_000;

interface EngineMention {
  database: Database;
  /** True when the string sits under a `"default"` key (the database Django migrates by default). */
  isDefault: boolean;
}

/**
 * The database named by the settings' ENGINE strings: the `default` alias when several are configured, else the
 * first one found. Undefined when no known engine is mentioned.
 */
export function detectDatabase(settingsFiles: readonly { text: string }[]): Database | undefined {
  const mentions: EngineMention[] = [];
  for (const file of settingsFiles) {
    if (file.text.length > MAX_SETTINGS_LENGTH || file.text.includes('\u0000')) continue;
    for (const mention of engineMentions(file.text)) mentions.push(mention);
  }
  return (mentions.find((mention) => mention.isDefault) ?? mentions[0])?.database;
}

/** Maps an ENGINE value to a database; third-party wrappers of the built-in backends count by their family. */
export function databaseOfEngine(engine: string): Database | undefined {
  const known = ENGINES[engine];
  if (known) return known;
  // Wrappers such as `django_prometheus.db.backends.postgresql` or `django_tenants.postgresql_backend`.
  if (!engine.includes('.') || engine.includes(' ') || !engine.includes('backend')) return undefined;
  const lower = engine.toLowerCase();
  if (lower.includes('postgis') || lower.includes('postgres') || lower.includes('psycopg')) return 'postgresql';
  if (lower.includes('mysql')) return 'mysql';
  if (lower.includes('sqlite') || lower.includes('spatialite')) return 'sqlite';
  return undefined;
}

function engineMentions(text: string): EngineMention[] {
  const tree = parser.parse(text);
  const mentions: EngineMention[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'String') return ref.name === 'Comment' ? false : undefined;
      const node = ref.node;
      const database = databaseOfEngine(decodeStringLiteral(text.slice(node.from, node.to)).value);
      if (database) mentions.push({ database, isDefault: isUnderDefaultKey(node, text) });
      return false;
    },
  });
  return mentions;
}

/** Walks up the enclosing dict literals and checks whether one of the keys on the way is `"default"`. */
function isUnderDefaultKey(node: SyntaxNode, text: string): boolean {
  let child: SyntaxNode = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.name !== 'DictionaryExpression' && parent.name !== 'CallExpression' && parent.name !== 'ArgList') continue;
    if (parent.name === 'DictionaryExpression') {
      const key = keyOfValue(child);
      if (key && key.name === 'String' && decodeStringLiteral(text.slice(key.from, key.to)).value === 'default') return true;
    } else if (parent.name === 'ArgList') {
      // dict(default=dict(ENGINE=...)) spelling.
      const keyword = child.prevSibling?.name === 'AssignOp' ? child.prevSibling.prevSibling : null;
      if (keyword && text.slice(keyword.from, keyword.to) === 'default') return true;
    }
  }
  return false;
}

/** For a value inside a dict literal, the key node of its entry (`key: value`). */
function keyOfValue(value: SyntaxNode): SyntaxNode | null {
  const colon = value.prevSibling;
  if (!colon || colon.name !== ':') return null;
  return colon.prevSibling;
}
