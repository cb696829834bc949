// How good the explain proposal is on answers labelled by hand (test/fixtures/review/explain-answers.json): the
// proposal pre-ticks the boxes the user then corrects, so both kinds of mistake cost the user a click and, when
// unnoticed, a wrong score. Precision and recall are counted over (answer, concept) pairs and printed.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { matchConcepts } from '../../../client/src/review/concepts';
import { loadSeedDeck } from '../../../client/src/review/deck';

interface Labelled {
  prompt: string;
  answer: string;
  covers: string[];
}

const LABELLED: Labelled[] = JSON.parse(
  readFileSync(resolve(__dirname, '../../fixtures/review/explain-answers.json'), 'utf8'),
).answers;

// A proposal that is wrong more than about one box in seven (one wrong box in most five-concept answers) stops
// saving the user work; 0.85 is that line, for both directions.
const MIN_PRECISION = 0.85;
const MIN_RECALL = 0.85;

describe('review concepts: accuracy on labelled answers', () => {
  const prompts = new Map(loadSeedDeck().deck.explain.map((p) => [p.id, p]));

  it('has at least 40 labelled answers, each naming concepts of its prompt', () => {
    assert.ok(LABELLED.length >= 40, `${LABELLED.length} labelled answers`);
    for (const item of LABELLED) {
      const prompt = prompts.get(item.prompt);
      assert.ok(prompt, `unknown prompt ${item.prompt}`);
      for (const id of item.covers) assert.ok(prompt.concepts.some((c) => c.id === id), `${id} is not a concept of ${item.prompt}`);
    }
  });

  it(`proposes with precision and recall of at least ${MIN_PRECISION} and ${MIN_RECALL}`, () => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    const mistakes: string[] = [];
    for (const item of LABELLED) {
      const prompt = prompts.get(item.prompt)!;
      for (const match of matchConcepts(item.answer, prompt.concepts)) {
        const truth = item.covers.includes(match.conceptId);
        if (match.covered && truth) truePositives++;
        else if (match.covered) {
          falsePositives++;
          mistakes.push(`  + ${match.conceptId} (${match.evidence.join(', ')}): ${item.answer}`);
        } else if (truth) {
          falseNegatives++;
          mistakes.push(`  - ${match.conceptId}: ${item.answer}`);
        }
      }
    }
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / (truePositives + falseNegatives);
    console.log(
      `      explain proposal on ${LABELLED.length} labelled answers: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} ` +
        `(${truePositives} right, ${falsePositives} wrongly ticked, ${falseNegatives} missed)`,
    );
    if (mistakes.length > 0) console.log(mistakes.join('\n'));
    assert.ok(precision >= MIN_PRECISION, `precision ${precision.toFixed(3)} < ${MIN_PRECISION}`);
    assert.ok(recall >= MIN_RECALL, `recall ${recall.toFixed(3)} < ${MIN_RECALL}`);
  });
});
