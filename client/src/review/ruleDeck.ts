// What the lint rules add to the review deck, built only from their metadata (client/src/generated/rules.json) so
// it never drifts from the hover text: one flashcard per rule, and quiz questions (the safe pattern among
// look-alike fixes of related rules; the lock an operation takes). Editor-free.
import nlp from 'compromise';
import { RULE_CATALOGUE } from '../ruleCatalogue';
import type { RuleMeta } from '../../../server/src/engine/types';
import { ruleCardId, type CodeBlock, type Flashcard, type QuizQuestion } from './protocol';

export { ruleCardId };

/** The visible part of a rule card's answer; the rest is behind "Show more". */
export const SHORT_ANSWER_WORDS = 60;
/** Options of one question stay within this length ratio, so the longest (or shortest) one gives nothing away. */
export const MAX_OPTION_LENGTH_RATIO = 1.8;

/** Markdown emphasis and links read badly as plain text; code spans stay (the webview renders them as code). */
export function plainMarkdown(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, '$1$2')
    .trim();
}

function sentences(text: string): string[] {
  return (nlp(text).sentences().out('array') as string[]).map((s) => s.trim()).filter((s) => s.length > 0);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

function firstWords(text: string, count: number): string {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length <= count) return text;
  let cut = words.slice(0, count).join(' ');
  // An odd number of backticks would open a code span that never closes.
  if ((cut.match(/`/g) ?? []).length % 2 === 1) cut += '`';
  return `${cut.replace(/[,;:]$/, '')} …`;
}

/** The code spans of the safe pattern: what a question must not give away. */
export function safePatternTerms(rule: RuleMeta): string[] {
  return [...(rule.explanation?.safeAlternative ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim()).filter((t) => t.length > 2);
}

function mentionsAny(text: string, terms: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return terms.some((term) => lower.includes(term.toLowerCase()));
}

/** The example SQL of a rule, when it is SQL a migration runs (not a sentence about it). */
function statementOf(rule: RuleMeta): string | undefined {
  const sql = (rule.explanation?.sql ?? '').trim();
  return /^(ALTER|CREATE|DROP|UPDATE|BEGIN|SELECT|TRUNCATE|LOCK|VACUUM|REINDEX|INSERT|DELETE|SET)\b/.test(sql) ? sql : undefined;
}

function titleOf(rule: RuleMeta): string {
  return plainMarkdown(rule.title).replace(/[.]+$/, '');
}

/**
 * The question shows the situation, never the fix: the SQL the migration runs when there is one; else the title
 * (quoted: titles are whole clauses), and it asks for the safe pattern only when the title does not name it.
 */
function ruleQuestion(rule: RuleMeta): { question: string; questionCode?: CodeBlock } {
  const terms = safePatternTerms(rule);
  const statement = statementOf(rule);
  if (statement && !mentionsAny(statement, terms)) {
    return {
      question: 'A migration runs this on a busy production table. What goes wrong, and what is the safe pattern?',
      questionCode: { language: 'sql', text: statement },
    };
  }
  const title = titleOf(rule);
  if (!mentionsAny(title, terms)) return { question: `What goes wrong with “${title}”, and what is the safe pattern?` };
  return { question: `What goes wrong with “${title}”?` };
}

/** The short answer (what goes wrong, then the safe pattern, within SHORT_ANSWER_WORDS) and the rest. */
function ruleAnswer(rule: RuleMeta): { answer: string; more: string } {
  const explanation = rule.explanation ?? ({} as Partial<RuleMeta['explanation']>);
  const summary = sentences(plainMarkdown(explanation.summary ?? ''));
  const safe = sentences(plainMarkdown(explanation.safeAlternative ?? ''));
  const lock = plainMarkdown(explanation.lock ?? '');
  if (summary.length === 0 && safe.length === 0) return { answer: `Rule \`${rule.id}\` has no explanation yet.`, more: '' };

  const problem = summary[0] ?? '';
  const fix = safe[0] ? `Safe pattern: ${safe[0]}` : '';
  // Words for each part: the longer one gives up words first; a cut part ends in "…", which counts as a word.
  const full = { problem: wordCount(problem), fix: wordCount(fix) };
  const kept = { ...full };
  const total = (): number => kept.problem + kept.fix + Number(kept.problem < full.problem) + Number(kept.fix < full.fix);
  while (total() > SHORT_ANSWER_WORDS) {
    if (kept.problem >= kept.fix) kept.problem--;
    else kept.fix--;
  }
  const cut = kept.problem < full.problem || kept.fix < full.fix;
  const answer = [firstWords(problem, kept.problem), fix ? firstWords(fix, kept.fix) : ''].filter(Boolean).join('\n\n');
  const more: string[] = [];
  if (cut || summary.length > 1) more.push(summary.join(' '));
  if (lock) more.push(`Lock: ${lock}`);
  if (cut || safe.length > 1) more.push(`Safe pattern in full: ${safe.join(' ')}`);
  return { answer, more: more.join('\n\n') };
}

/** One flashcard per rule. */
export function ruleCards(rules: readonly RuleMeta[]): Flashcard[] {
  const cards: Flashcard[] = [];
  for (const rule of rules) {
    if (!rule || typeof rule.id !== 'string' || !rule.id || typeof rule.title !== 'string' || !rule.title.trim()) continue;
    const { question, questionCode } = ruleQuestion(rule);
    const { answer, more } = ruleAnswer(rule);
    const card: Flashcard = {
      id: ruleCardId(rule.id),
      source: 'rule',
      question,
      answer,
      level: rule.severity === 'info' ? 'intermediate' : 'advanced',
      codeTerms: [],
      ruleId: rule.id,
    };
    if (questionCode) card.questionCode = questionCode;
    if (more) card.more = more;
    const safeCode = typeof rule.explanation?.safeCode === 'string' ? rule.explanation.safeCode.replace(/^\n+|\s+$/g, '') : '';
    if (safeCode) card.code = { language: rule.explanation.safeCodeLanguage ?? 'python', text: safeCode } satisfies CodeBlock;
    cards.push(card);
  }
  return cards;
}

// ---------------------------------------------------------------------------------------------------------------
// Quiz questions

function withinRatio(lengths: readonly number[]): boolean {
  return Math.max(...lengths) <= MAX_OPTION_LENGTH_RATIO * Math.min(...lengths);
}

function isImperative(sentence: string): boolean {
  const first = nlp(sentence).terms().first();
  return first.has('#Verb') && !first.has('#Gerund') && !first.has('#PastTense');
}

interface SafePattern {
  rule: RuleMeta;
  /** The first sentence of the safe alternative, an instruction ("Use ...", "Add ..."). */
  text: string;
  terms: string[];
}

/**
 * "What is the safe pattern for X?" with three look-alikes: the safe patterns of other rules, same category
 * first (index fixes against index fixes), none sharing a code term with the answer (so none is also right),
 * all instructions of comparable length.
 */
function safePatternQuestions(rules: readonly RuleMeta[]): QuizQuestion[] {
  const patterns: SafePattern[] = [];
  for (const rule of rules) {
    const text = sentences(plainMarkdown(rule.explanation?.safeAlternative ?? ''))[0];
    if (text && isImperative(text)) patterns.push({ rule, text, terms: safePatternTerms(rule) });
  }
  const questions: QuizQuestion[] = [];
  for (const pattern of patterns) {
    const candidates = patterns
      .filter((other) => other !== pattern && other.text.toLowerCase() !== pattern.text.toLowerCase())
      .filter((other) => !mentionsAny(other.text, pattern.terms) && !mentionsAny(pattern.text, other.terms))
      .sort(
        (a, b) =>
          Number(b.rule.category === pattern.rule.category) - Number(a.rule.category === pattern.rule.category) ||
          Math.abs(a.text.length - pattern.text.length) - Math.abs(b.text.length - pattern.text.length) ||
          a.rule.id.localeCompare(b.rule.id),
      );
    const chosen: SafePattern[] = [];
    for (const candidate of candidates) {
      if (chosen.length === 3) break;
      if (withinRatio([pattern.text, ...chosen.map((c) => c.text), candidate.text].map((t) => t.length))) chosen.push(candidate);
    }
    if (chosen.length < 3) continue;
    questions.push({
      id: `rule-quiz:${pattern.rule.id}:safe-pattern`,
      source: 'rule',
      question: `“${titleOf(pattern.rule)}”: which is the safe pattern?`,
      answer: pattern.text,
      distractors: chosen.map((c) => c.text),
      explanation: `Safe pattern: ${plainMarkdown(pattern.rule.explanation.safeAlternative)}`,
      codeTerms: [],
      ruleId: pattern.rule.id,
    });
  }
  return questions;
}

/** PostgreSQL's table lock modes a migration meets, each with what it lets through. */
const LOCK_MODES: readonly { mode: string; option: string }[] = [
  { mode: 'ACCESS EXCLUSIVE', option: 'ACCESS EXCLUSIVE: reads and writes both wait' },
  { mode: 'SHARE UPDATE EXCLUSIVE', option: 'SHARE UPDATE EXCLUSIVE: reads and writes go on' },
  { mode: 'SHARE ROW EXCLUSIVE', option: 'SHARE ROW EXCLUSIVE: writes wait, reads go on' },
  { mode: 'SHARE', option: 'SHARE: writes wait, reads go on' },
  { mode: 'ROW EXCLUSIVE', option: 'ROW EXCLUSIVE: only schema changes wait' },
];

function lockModeOf(rule: RuleMeta): (typeof LOCK_MODES)[number] | undefined {
  if (rule.vendors !== 'all' && !rule.vendors.includes('postgresql')) return undefined;
  const lock = (rule.explanation?.lock ?? '').replace(/^PostgreSQL:\s*/, '');
  return LOCK_MODES.find(({ mode }) => lock.startsWith(mode) && !/^[/\w]/.test(lock.slice(mode.length)));
}

/**
 * "Which lock does this take?" for the rules whose metadata names one PostgreSQL lock mode. Most DDL takes ACCESS
 * EXCLUSIVE; so that always picking it does not pass the quiz, there are no more of those than of the others.
 */
function lockQuestions(rules: readonly RuleMeta[]): QuizQuestion[] {
  const all = lockQuestionsOfEveryRule(rules);
  const strongest = all.filter((q) => q.answer === LOCK_MODES[0]!.option);
  const others = all.filter((q) => q.answer !== LOCK_MODES[0]!.option);
  const keep = new Set([...others, ...strongest.slice(0, others.length)]);
  return all.filter((q) => keep.has(q));
}

function lockQuestionsOfEveryRule(rules: readonly RuleMeta[]): QuizQuestion[] {
  const questions: QuizQuestion[] = [];
  for (const rule of rules) {
    const lock = lockModeOf(rule);
    // A title that names the lock ("... takes an ACCESS EXCLUSIVE lock ...") would answer its own question.
    if (!lock || titleOf(rule).includes(lock.mode)) continue;
    // One statement names what takes the lock; with several, the title does (the first one may not be it).
    const sql = statementOf(rule);
    const statement = sql && !sql.trim().includes('\n') ? sql : undefined;
    const others = LOCK_MODES.filter((m) => m !== lock && (m.mode !== 'ROW EXCLUSIVE' || lock.mode === 'SHARE ROW EXCLUSIVE'));
    questions.push({
      id: `rule-quiz:${rule.id}:lock`,
      source: 'rule',
      question: statement
        ? `On PostgreSQL, which lock does \`${firstLine(statement)}\` take?`
        : `On PostgreSQL, which lock is taken: “${titleOf(rule)}”?`,
      answer: lock.option,
      distractors: others.slice(0, 3).map((m) => m.option),
      explanation: `Lock: ${plainMarkdown(rule.explanation.lock)}`,
      codeTerms: [],
      ruleId: rule.id,
    });
  }
  return questions;
}

function firstLine(statement: string): string {
  const line = statement.replace(/\s*--.*$/, '').trim();
  return line.length > 90 ? `${line.slice(0, 88)}…` : line;
}

/** Quiz questions generated from the rules: safe patterns against look-alikes, and lock modes. */
export function ruleQuiz(rules: readonly RuleMeta[]): QuizQuestion[] {
  return [...safePatternQuestions(rules), ...lockQuestions(rules)];
}

let catalogue: { cards: Flashcard[]; quiz: QuizQuestion[] } | undefined;

function catalogueDeck(): { cards: Flashcard[]; quiz: QuizQuestion[] } {
  catalogue ??= { cards: ruleCards(RULE_CATALOGUE), quiz: ruleQuiz(RULE_CATALOGUE) };
  return catalogue;
}

/** Rule cards for the rules the engine ships with right now (built once; callers get their own array). */
export function catalogueRuleCards(): Flashcard[] {
  return [...catalogueDeck().cards];
}

/** Quiz questions for the rules the engine ships with right now. */
export function catalogueRuleQuiz(): QuizQuestion[] {
  return [...catalogueDeck().quiz];
}
