// Proposes which concepts of an explain prompt a free-text answer covers. It only proposes: the user confirms or
// corrects the checkboxes. The language work is compromise's (a small English NLP library that bundles into the
// extension host): words to their root forms ("locked", "locking" -> "lock"; "backups" -> "backup"), clauses,
// parts of speech and negation. On top of that: a few synonyms of this field ("clone of the live db" = "copy of
// the production database"), and negation scope, so "skip the backup" or "no rollback plan" covers nothing.
import nlp from 'compromise';
import type { Concept, ConceptMatch } from './protocol';

/** Words people use for the same thing here; each group's first word is the one compared. */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['database', 'db', 'dbs', 'databases'],
  ['production', 'prod', 'live'],
  ['staging', 'stage', 'preprod', 'uat'],
  ['copy', 'clone', 'replica', 'duplicate'],
  ['sql', 'statement', 'statements', 'ddl'],
  ['release', 'deploy', 'deployment', 'deploys', 'deployments', 'rollout'],
  ['big', 'large', 'huge', 'giant', 'enormous'],
  ['incremental', 'incrementally', 'gradually', 'gradual'],
  ['monitor', 'watch', 'observe'],
  ['minimize', 'minimise'],
  ['behavior', 'behaviour'],
];

const CANONICAL: ReadonlyMap<string, string> = new Map(
  SYNONYM_GROUPS.flatMap((group) => group.map((word) => [word, group[0]!] as const)),
);

/**
 * Words that put what follows in their clause out of the answer: compromise tags "not", "n't" and "never" as
 * Negative; "no", "without" and the verbs of leaving a step out are added here by their root form.
 */
const NEGATING_WORDS: ReadonlySet<string> = new Set(['no', 'without', 'none', 'nothing', 'neither', 'nor']);
const NEGATING_VERBS: ReadonlySet<string> = new Set(['skip', 'omit', 'forget', 'ignore', 'neglect']);
/** Conjunctions after which a new statement starts even inside one clause ("skip X because Y"). */
const SCOPE_BREAKING_CONJUNCTIONS: ReadonlySet<string> = new Set(['but', 'because', 'so', 'then', 'although', 'though', 'while']);

interface NlpTerm {
  text: string;
  normal?: string;
  implicit?: string;
  root?: string;
  tags?: string[];
  /** Words compromise knows to be read two ways, e.g. "Adj|Gerund". */
  switch?: string;
}

interface Token {
  /** As typed, for the evidence shown to the user. */
  text: string;
  /** The forms compared: the word and its root, each through the synonyms. */
  keys: Set<string>;
  /** The written forms, for words written together or apart ("roll back" = "rollback"). */
  spellings: string[];
  negated: boolean;
}

function canonical(word: string): string {
  return CANONICAL.get(word) ?? word;
}

function normalWord(term: NlpTerm): string {
  return (term.normal || term.implicit || term.text || '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}

function hasTag(term: NlpTerm, tag: string): boolean {
  return term.tags?.includes(tag) ?? false;
}

const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the', 'this', 'that', 'these', 'those']);

/** Articles, possessives and auxiliaries carry nothing here: "a copy of our database" matches "copy of the database". */
function isFiller(term: NlpTerm): boolean {
  return ARTICLES.has(normalWord(term)) || hasTag(term, 'Possessive') || hasTag(term, 'Auxiliary');
}

function isNegator(term: NlpTerm, root: string): boolean {
  return hasTag(term, 'Negative') || NEGATING_WORDS.has(root) || (hasTag(term, 'Verb') && NEGATING_VERBS.has(root));
}

const isolatedRoots = new Map<string, string>();
const MAX_CACHED_WORDS = 20_000;

/**
 * The root of the word on its own. In a sentence compromise may read a word another way ("we were rolling back":
 * "rolling" as an adjective, without a root), so both readings are compared.
 */
function isolatedRoot(word: string): string {
  let root = isolatedRoots.get(word);
  if (root === undefined) {
    const read = (gerund: boolean): NlpTerm | undefined => {
      const doc = nlp(word);
      if (gerund) doc.tag('Gerund');
      doc.compute('root');
      return (doc.json({ terms: { normal: true } }) as { terms: NlpTerm[] }[])[0]?.terms[0];
    };
    let term = read(false);
    // Alone, "rolling" reads as an adjective; compromise marks such words as switching with a gerund.
    if (term && !term.root && term.switch?.includes('Gerund')) term = read(true);
    root = (term?.root ?? word).toLowerCase();
    if (isolatedRoots.size >= MAX_CACHED_WORDS) isolatedRoots.clear();
    isolatedRoots.set(word, root);
  }
  return root;
}

/** Splits the text into clauses of tokens, marking each token that a negation in its clause governs. */
function tokenize(text: string): Token[] {
  const doc = nlp(text);
  doc.compute('root');
  // compute('root') puts each term's root form into its JSON.
  const clauses = doc.clauses().json({ terms: { normal: true } }) as { terms: NlpTerm[] }[];
  const tokens: Token[] = [];
  for (const clause of clauses) {
    let negated = false;
    let previousNegative = false;
    clause.terms.forEach((term, index) => {
      const normal = normalWord(term);
      const root = (term.root ?? normal).toLowerCase();
      if (!normal) return;
      if (isNegator(term, root)) {
        // "don't forget", "never skip": two negations cancel.
        const cancels = previousNegative && hasTag(term, 'Verb') && NEGATING_VERBS.has(root);
        negated = cancels ? false : true;
        previousNegative = !cancels && hasTag(term, 'Negative');
        return;
      }
      previousNegative = false;
      if (hasTag(term, 'Conjunction')) {
        const next = clause.terms[index + 1];
        // "skip the backup and the staging" stays negated; "skip X and test Y", "skip X because Y" do not.
        const newPredicate = (normal === 'and' || normal === 'or') && next && (hasTag(next, 'Verb') || hasTag(next, 'Pronoun'));
        if (SCOPE_BREAKING_CONJUNCTIONS.has(normal) || newPredicate) negated = false;
        return;
      }
      if (isFiller(term)) return;
      const words = normal.split(/[^a-z0-9_]+/).filter((w) => w.length > 0);
      for (const word of words) {
        const roots = [...new Set([word === normal ? root : word, isolatedRoot(word)])];
        const keys = new Set([word, ...roots].map(canonical));
        tokens.push({ text: words.length > 1 ? word : term.text || word, keys, spellings: [word, ...roots], negated });
      }
    });
  }
  return tokens;
}

const cueCache = new Map<string, Token[]>();

function cueTokens(cue: string): Token[] {
  let tokens = cueCache.get(cue);
  if (!tokens) {
    tokens = tokenize(cue).map((token) => ({ ...token, negated: false }));
    cueCache.set(cue, tokens);
  }
  return tokens;
}

function sameWord(a: Token, b: Token): boolean {
  for (const key of a.keys) if (b.keys.has(key)) return true;
  return false;
}

/** Every way the tokens can be written as one word: "roll" + "back" -> "rollback", "backed" + "up" -> "backup". */
function joinedForms(tokens: readonly Token[]): Set<string> {
  let forms = [''];
  for (const token of tokens) forms = forms.flatMap((prefix) => token.spellings.map((s) => prefix + s));
  return new Set(forms.map(canonical));
}

interface CueHit {
  text: string;
  negated: boolean;
}

/** Finds a cue in the answer (word by word, or written together or apart); prefers an occurrence not negated. */
function findCue(answer: readonly Token[], cue: string): CueHit | undefined {
  const wanted = cueTokens(cue);
  if (wanted.length === 0) return undefined;
  const wantedJoined = joinedForms(wanted);
  let negatedHit: CueHit | undefined;
  const consider = (window: readonly Token[]): CueHit | undefined => {
    const hit = { text: window.map((t) => t.text).join(' '), negated: window.some((t) => t.negated) };
    if (!hit.negated) return hit;
    negatedHit ??= hit;
    return undefined;
  };
  for (let start = 0; start < answer.length; start++) {
    if (start + wanted.length <= answer.length && wanted.every((w, k) => sameWord(answer[start + k]!, w))) {
      const hit = consider(answer.slice(start, start + wanted.length));
      if (hit) return hit;
    }
    for (let length = 1; length <= 3 && start + length <= answer.length; length++) {
      if (length === wanted.length) continue;
      const window = answer.slice(start, start + length);
      const joined = joinedForms(window);
      if ([...joined].some((form) => wantedJoined.has(form))) {
        const hit = consider(window);
        if (hit) return hit;
      }
    }
  }
  return negatedHit;
}

/**
 * For each concept, whether the answer seems to cover it, which words showed it, and which mentions did not
 * count because the answer negates them ("skip the backup").
 */
export function matchConcepts(answer: string, concepts: readonly Concept[]): ConceptMatch[] {
  const tokens = tokenize(answer);
  return concepts.map((concept) => {
    const evidence: string[] = [];
    const negated: string[] = [];
    for (const cue of concept.cues) {
      const hit = findCue(tokens, cue);
      if (!hit) continue;
      const list = hit.negated ? negated : evidence;
      if (!list.includes(hit.text)) list.push(hit.text);
    }
    const match: ConceptMatch = { conceptId: concept.id, covered: evidence.length > 0, evidence };
    if (evidence.length === 0 && negated.length > 0) match.negated = negated;
    return match;
  });
}

/** Keeps only ids of this prompt's concepts, once each, in the prompt's order. */
export function confirmedConcepts(concepts: readonly Concept[], claimed: readonly string[]): string[] {
  const wanted = new Set(claimed);
  return concepts.filter((concept) => wanted.has(concept.id)).map((concept) => concept.id);
}
