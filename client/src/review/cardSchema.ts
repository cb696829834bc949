// Validation of card files against their JSON Schemas: the user's `.vscode/migration-cards.json` against the schema
// VS Code also uses for completion (media/migration-cards.schema.json, the manifest's jsonValidation), the seed
// deck against cards/seed.schema.json (the same definitions, stricter). jsonc-parser reads JSON with comments and
// trailing commas and tells where each value is; ajv checks the values. Every problem names line, column and
// the JSON path of the value, and says what was expected.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import userSchema from '../../../media/migration-cards.schema.json';
import seedSchema from '../../../cards/seed.schema.json';
import { isRecord } from '../isRecord';

const USER_SCHEMA_KEY = 'migration-cards.schema.json';

export interface SchemaProblem {
  /** `flashcards[2].answer`, or '' for the whole file. */
  path: string;
  /** The segments of `path`, to find the item the problem is in. */
  segments: (string | number)[];
  message: string;
  /** "line 3, column 7" when the file's text is known. */
  position?: string;
}

export interface ValidatedFile {
  /** The parsed value; undefined when the text is not JSON. */
  value: unknown;
  problems: SchemaProblem[];
  /** "line 3, column 7" of the value at these segments (or of the nearest enclosing one). */
  positionOf(segments: readonly (string | number)[]): string | undefined;
}

interface Validators {
  /** The schema's two shapes of a user file, checked one at a time so errors speak of the shape the file has. */
  userList: ValidateFunction;
  userObject: ValidateFunction;
  seed: ValidateFunction;
}

let validators: Validators | undefined;

function compiled(): Validators {
  if (!validators) {
    // verbose: each error carries its schema, for messages that name the allowed properties and the bounds.
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    ajv.addSchema(userSchema, USER_SCHEMA_KEY);
    validators = {
      userList: ajv.compile({ $ref: `${USER_SCHEMA_KEY}#/oneOf/0` }),
      userObject: ajv.compile({ $ref: `${USER_SCHEMA_KEY}#/oneOf/1` }),
      seed: ajv.compile(seedSchema),
    };
  }
  return validators;
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

export function formatPath(segments: readonly (string | number)[]): string {
  return segments
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    if (value.trim() === '') return 'an empty string';
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function segmentsOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isRecord(value) && typeof segment === 'string') value = value[segment];
    else return undefined;
  }
  return value;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  object: 'an object',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

/**
 * One ajv error in words. `segments` names the value (a missing property is reported as the property); `locate`,
 * when set, is where in the file to point instead (an unknown property: the property itself, not its object).
 */
function explain(error: ErrorObject, root: unknown): { segments: (string | number)[]; message: string; locate?: (string | number)[] } {
  const segments = segmentsOf(error.instancePath);
  const value = valueAt(root, segments);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { segments: [...segments, String(params.missingProperty)], message: 'is missing' };
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const property = String(params.additionalProperty);
      return { segments, message: `unknown property "${property}" (allowed: ${allowed.join(', ')})`, locate: [...segments, property] };
    }
    case 'type':
      return { segments, message: `expected ${TYPE_NAMES[String(params.type)] ?? String(params.type)}, got ${describeValue(value)}` };
    case 'enum':
      return { segments, message: `expected one of ${(params.allowedValues as unknown[]).join(', ')}, got ${describeValue(value)}` };
    case 'const':
      return { segments, message: `expected ${JSON.stringify(params.allowedValue)}, got ${describeValue(value)}` };
    case 'pattern':
      if (error.schema === '\\S') return { segments, message: 'expected text, got an empty string' };
      return { segments, message: `expected letters, digits, ".", "_", ":" or "-" (at most 200 characters), got ${describeValue(value)}` };
    case 'minLength':
      return { segments, message: `expected text, got ${describeValue(value)}` };
    case 'maxLength':
      return { segments, message: `is too long (${String(value).length} characters, at most ${String(params.limit)})` };
    case 'minItems':
    case 'maxItems': {
      const count = Array.isArray(value) ? value.length : 0;
      const bounds = error.parentSchema as { minItems?: number; maxItems?: number } | undefined;
      const how = bounds?.minItems === bounds?.maxItems ? 'exactly' : error.keyword === 'minItems' ? 'at least' : 'at most';
      const limit = Number(params.limit);
      return { segments, message: `expected ${how} ${limit} ${limit === 1 ? 'entry' : 'entries'}, got ${count}` };
    }
    case 'uniqueItems':
      return { segments: [...segments, Number(params.i)], message: `repeats entry ${String(params.j)}` };
    default:
      return { segments, message: error.message ?? error.keyword };
  }
}

/** The node a problem points at: the value, else the nearest enclosing one that exists. */
function nodeFor(tree: Node | undefined, segments: readonly (string | number)[]): Node | undefined {
  if (!tree) return undefined;
  for (let length = segments.length; length >= 0; length--) {
    const node = findNodeAtLocation(tree, segments.slice(0, length) as (string | number)[]);
    if (node) return length === segments.length && node.parent?.type === 'property' ? node.parent : node;
  }
  return tree;
}

function validate(validator: ValidateFunction, value: unknown, tree: Node | undefined, text: string | undefined): SchemaProblem[] {
  if (validator(value)) return [];
  const seen = new Set<string>();
  const problems: (SchemaProblem & { offset: number })[] = [];
  for (const error of validator.errors ?? []) {
    const { segments, message, locate } = explain(error, value);
    const path = formatPath(segments);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const node = nodeFor(tree, locate ?? segments);
    const problem: SchemaProblem & { offset: number } = { path, segments, message, offset: node?.offset ?? 0 };
    if (text !== undefined && node) problem.position = lineAndColumn(text, node.offset);
    problems.push(problem);
  }
  // In the order of the file, top to bottom.
  return problems.sort((a, b) => a.offset - b.offset).map(({ offset: _offset, ...problem }) => problem);
}

/** Parses the user's card file (comments and trailing commas allowed) and checks it against the contributed schema. */
export function validateUserCardText(source: string): ValidatedFile {
  const text = source.replace(/^\uFEFF/, '');
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    const first = errors[0];
    const where = first ? (first.offset >= text.trimEnd().length ? 'at the end of the file' : `at ${lineAndColumn(text, first.offset)}`) : '';
    const what = first ? printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'no value';
    return { value: undefined, problems: [{ path: '', segments: [], message: `not valid JSON: ${what} ${where}`.trim() }], positionOf: () => undefined };
  }
  const value: unknown = getNodeValue(tree);
  const positionOf = (segments: readonly (string | number)[]): string | undefined => {
    const node = nodeFor(tree, segments);
    return node ? lineAndColumn(text, node.offset) : undefined;
  };
  if (!Array.isArray(value) && !isRecord(value)) {
    const message = `expected an object with "flashcards", "quiz" and/or "explain" lists, or a list of flashcards, got ${describeValue(value)}`;
    return { value, problems: [{ path: '', segments: [], message, position: lineAndColumn(text, tree.offset) }], positionOf };
  }
  const validator = Array.isArray(value) ? compiled().userList : compiled().userObject;
  return { value, problems: validate(validator, value, tree, text), positionOf };
}

/** Checks the bundled seed deck (already parsed by the bundler) against cards/seed.schema.json. */
export function validateSeedValue(value: unknown): SchemaProblem[] {
  return validate(compiled().seed, value, undefined, undefined);
}
