// Proposes which concepts of an explain prompt a free-text answer covers. It only proposes: the user confirms or
// corrects the checkboxes, so simple, predictable matching (normalised words, light stemming, a few synonyms,
// "back up" = "backup") beats anything clever that users cannot reason about.
import type { Concept, ConceptMatch } from './protocol';

/** Abbreviations and spellings people use for the same thing. */
const SYNONYMS: Readonly<Record<string, string>> = {
  db: 'database',
  dbs: 'databases',
  prod: 'production',
  env: 'environment',
  envs: 'environments',
  deploys: 'deployments',
  deploy: 'deployment',
  deployed: 'deployment',
  deploying: 'deployment',
  minimise: 'minimize',
  minimising: 'minimizing',
  behaviour: 'behavior',
  analyse: 'analyze',
};

/** Lowercases and splits into words; apostrophes vanish ("don't" -> "dont"), other punctuation separates. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['\u2019]/g, '')
    .split(/[^a-z0-9_]+/)
    .filter((word) => word.length > 0);
}

const VOWEL = /[aeiouy]/;

/**
 * A deliberately small suffix stripper: consistent rather than linguistically right, applied to cues and answers
 * alike ("locking", "locked", "locks" -> "lock"; "staging", "stage" -> "stag").
 */
export function stem(word: string): string {
  let w = SYNONYMS[word] ?? word;
  if (w.length <= 3 || /^\d+$/.test(w)) return w;
  if (/ies$/.test(w) && w.length > 4) return w.slice(0, -3) + 'y';
  if (/ied$/.test(w) && w.length > 4) return w.slice(0, -3) + 'y';
  if (/ing$/.test(w) && w.length > 5 && VOWEL.test(w.slice(0, -3))) {
    w = undouble(w.slice(0, -3));
  } else if (/ed$/.test(w) && w.length > 4 && VOWEL.test(w.slice(0, -2))) {
    w = undouble(w.slice(0, -2));
  } else if (/(sses|xes|ches|shes)$/.test(w)) {
    w = w.slice(0, -2);
  } else if (/es$/.test(w) && w.length > 4) {
    w = w.slice(0, -2);
  } else if (/s$/.test(w) && !/(ss|us|is)$/.test(w)) {
    w = w.slice(0, -1);
  } else if (/ly$/.test(w) && w.length > 5) {
    w = w.slice(0, -2);
  }
  if (/e$/.test(w) && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** "dropp" -> "drop", "runn" -> "run"; but "roll", "pass", "buzz" keep their double letter. */
function undouble(w: string): string {
  return /([^aeiouslz])\1$/.test(w) ? w.slice(0, -1) : w;
}

interface Token {
  raw: string;
  stem: string;
}

interface AnswerIndex {
  tokens: Token[];
}

function indexAnswer(answer: string): AnswerIndex {
  return { tokens: words(answer).map((raw) => ({ raw, stem: stem(raw) })) };
}

/** Finds a cue in the answer; returns the matching words as typed, or undefined. */
function findCue(index: AnswerIndex, cue: string): string | undefined {
  const cueWords = words(cue);
  if (cueWords.length === 0) return undefined;
  const cueStems = cueWords.map(stem);
  const joinedCue = stem(cueWords.join(''));
  const tokens = index.tokens;
  for (let start = 0; start < tokens.length; start++) {
    // Word by word: "backing up" matches the cue "back up".
    if (start + cueStems.length <= tokens.length && cueStems.every((s, k) => tokens[start + k]!.stem === s)) {
      return tokens.slice(start, start + cueStems.length).map((t) => t.raw).join(' ');
    }
    // Written together or apart: "rollback" matches "roll back" and the other way round.
    for (let length = 1; length <= 3 && start + length <= tokens.length; length++) {
      const window = tokens.slice(start, start + length);
      if (length === 1 && cueWords.length === 1) continue;
      if (stem(window.map((t) => t.raw).join('')) === joinedCue) return window.map((t) => t.raw).join(' ');
    }
  }
  return undefined;
}

/** For each concept, whether the answer seems to cover it and which words showed it. */
export function matchConcepts(answer: string, concepts: readonly Concept[]): ConceptMatch[] {
  const index = indexAnswer(answer);
  return concepts.map((concept) => {
    const evidence: string[] = [];
    for (const cue of concept.cues) {
      const found = findCue(index, cue);
      if (found !== undefined && !evidence.includes(found)) evidence.push(found);
    }
    return { conceptId: concept.id, covered: evidence.length > 0, evidence };
  });
}

/** The score line the seed deck asks for, e.g. "You got 3/5 concepts". */
export function scoreLine(covered: number, total: number): string {
  return `You got ${covered}/${total} concepts`;
}

/** Keeps only ids of this prompt's concepts, once each, in the prompt's order. */
export function confirmedConcepts(concepts: readonly Concept[], claimed: readonly string[]): string[] {
  const wanted = new Set(claimed);
  return concepts.filter((concept) => wanted.has(concept.id)).map((concept) => concept.id);
}
